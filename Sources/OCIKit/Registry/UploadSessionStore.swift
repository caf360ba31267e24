import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Upload sessions left open, remembered on disk so that a later run (after a kill, a lost link, a CI timeout)
/// continues a blob where the registry has it instead of from byte 0. One small JSON file per
/// (registry, repository, digest); it holds the session URL and the last offset known, never a credential.
/// The registry's own answer (GET on the session) decides where an upload resumes; the offset here is a hint.
public final class UploadSessionStore: Sendable {
    public struct Session: Codable, Sendable, Equatable {
        public var registry: String
        public var repository: String
        public var digest: String
        public var size: Int64
        public var location: String
        public var offset: Int64
        public var updated: String
    }

    public let directory: String
    private let swept = Mutex(false)

    public init(directory: String) {
        self.directory = directory
    }

    func load(registry: String, repository: String, digest: Digest) -> Session? {
        guard let data = FileManager.default.contents(atPath: path(registry, repository, digest)),
              let session = try? JSONDecoder().decode(Session.self, from: data),
              session.registry == registry, session.repository == repository, session.digest == digest.string
        else { return nil }
        return session
    }

    /// Remembers a session. Failing to write it only costs resumability, never the upload.
    func save(registry: String, repository: String, descriptor: Descriptor, location: String, offset: Int64) {
        let session = Session(registry: registry, repository: repository, digest: descriptor.digest.string, size: descriptor.size,
                              location: location, offset: offset, updated: ISO8601DateFormatter().string(from: Date()))
        guard let data = try? CanonicalJSON.encode(session) else { return }
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try? AtomicFile.write(Data(data), to: path(registry, repository, descriptor.digest), permissions: 0o600)
    }

    func remove(registry: String, repository: String, digest: Digest) {
        unlink(path(registry, repository, digest))
    }

    /// How long a blob another edgepack process put into a repository counts as there without uploading it again.
    static let recentPut: TimeInterval = 600

    /// Runs `body` holding this machine's lock on one blob of one repository (`flock` on a small file here,
    /// released when the process dies), and marks the blob as put when `body` returns true. `body` learns whether
    /// another edgepack process put the blob there in the last ten minutes: then it should ask the registry
    /// instead of sending the blob again. Distribution rewrites a repository's link to a blob (truncate, then write)
    /// on every upload or mount of it, even one it has; a manifest checked against that link in that instant is
    /// refused (DIGEST_INVALID, MANIFEST_BLOB_UNKNOWN). Identical publishes running at once did exactly that.
    /// Without a usable folder, `body` runs unlocked.
    public func exclusively(registry: String, repository: String, digest: Digest, _ body: (_ recentlyPut: Bool) throws -> Bool) throws -> Bool {
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        sweepOldMarks()
        guard let descriptor = lockedMark(String(path(registry, repository, digest).dropLast(".json".count)) + ".put") else { return try body(false) }
        defer { close(descriptor) }
        var status = stat()
        let put = try body(fstat(descriptor, &status) == 0 && status.st_size > 0 && !Self.isOld(status))
        if put {
            let mark = Array("put\n".utf8)
            _ = ftruncate(descriptor, 0)
            _ = mark.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        }
        return put
    }

    /// The mark file opened and locked; opened again when a sweep removed the file this process was waiting on.
    private func lockedMark(_ path: String) -> Int32? {
        for _ in 0..<8 {
            let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else { return nil }
            while flock(descriptor, LOCK_EX) != 0, errno == EINTR {}
            var held = stat(), named = stat()
            if fstat(descriptor, &held) == 0, stat(path, &named) == 0, held.st_ino == named.st_ino, held.st_dev == named.st_dev { return descriptor }
            close(descriptor)
        }
        return nil
    }

    /// Removes the marks older than `recentPut` that no process holds, once per store (a run).
    private func sweepOldMarks() {
        guard swept.withLock({ done in defer { done = true }; return !done }),
              let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names where name.hasSuffix(".put") {
            let path = directory + "/" + name
            let descriptor = open(path, O_RDWR | O_CLOEXEC)
            guard descriptor >= 0 else { continue }
            var status = stat()
            if flock(descriptor, LOCK_EX | LOCK_NB) == 0, fstat(descriptor, &status) == 0, Self.isOld(status) { unlink(path) }
            close(descriptor)
        }
    }

    private static func isOld(_ status: stat) -> Bool {
        Date().timeIntervalSince1970 - TimeInterval(status.st_mtim.tv_sec) >= recentPut
    }

    /// A file name from the digest and a hash of where it goes (host and repository names may hold `/` and `:`).
    func path(_ registry: String, _ repository: String, _ digest: Digest) -> String {
        let place = SHA256Hasher.digest(Array("\(registry)/\(repository)".utf8)).encoded.prefix(16)
        return "\(directory)/\(digest.encoded)-\(place).json"
    }
}
