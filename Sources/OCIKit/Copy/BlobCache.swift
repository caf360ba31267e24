import Foundation
import Synchronization

/// Blobs downloaded from registries, kept by digest under the cache directory (`…/blobs/sha256/HEX`) so a
/// second copy of the same image reads them from disk. A blob enters only once its download is verified, and
/// is checked against its digest when it is taken out (a `DigestCache` spares the re-hash of an unchanged
/// file). Bounded: above `maximumBytes`, the blobs used least recently go first, except those this run uses.
/// Last use is the mtime of a marker `…/used/HEX`, so the blob file itself never changes status.
public final class BlobCache: Sendable {
    public let directory: String
    public let maximumBytes: Int64
    private let digester: FileDigester
    private let inUse = Mutex<Set<Digest>>([])

    public static let defaultMaximumBytes: Int64 = 20 << 30

    public init(directory: String, maximumBytes: Int64 = BlobCache.defaultMaximumBytes,
                digests: DigestCache? = nil) {
        self.directory = directory
        self.maximumBytes = maximumBytes
        self.digester = FileDigester(cache: digests, concurrency: 1)
    }

    func path(_ digest: Digest) -> String { "\(directory)/\(digest.algorithm)/\(digest.encoded)" }
    private func marker(_ digest: Digest) -> String { "\(directory)/used/\(digest.encoded)" }

    /// The cached file holding exactly this blob, or nil (a corrupt entry is removed).
    public func lookup(_ descriptor: Descriptor) -> String? {
        let path = path(descriptor.digest)
        guard let status = try? FileStatus(path: path), status.size == descriptor.size else { return nil }
        guard let found = try? digester.digest(file: path), found.digest == descriptor.digest else {
            unlink(path)
            return nil
        }
        use(descriptor.digest)
        return path
    }

    /// Stores a blob by streaming it through `fill` into a temporary file (which a retried download may
    /// start over), that becomes the cached entry only if `fill` succeeds; `fill` verifies what it writes.
    /// Not fsynced: an entry is checked when it is taken out. Returns the entry's path.
    public func store(_ descriptor: Descriptor, _ fill: (any ByteSink) throws -> Void) throws -> String {
        try store(descriptor, growing: nil, fill)
    }

    /// As `store`, telling `growing` where the bytes go as they arrive (readers may follow the download).
    func store(_ descriptor: Descriptor, growing: GrowingFile?, _ fill: (any ByteSink) throws -> Void) throws -> String {
        let path = path(descriptor.digest)
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        use(descriptor.digest)
        let temporary = AtomicFile.temporaryPath(for: path)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw OCIError.io("create", temporary, errno: errno) }
        growing?.begin(path: temporary)
        do {
            let sink = RewindableFileSink(fd: fd, path: temporary)
            try fill(growing.map { GrowingFileSink(sink, $0) } ?? sink)
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        close(fd)
        guard rename(temporary, path) == 0 else {
            unlink(temporary)
            throw OCIError.io("rename into place", path, errno: errno)
        }
        evict()
        return path
    }

    func use(_ digest: Digest) {
        inUse.withLock { _ = $0.insert(digest) }
        let marker = marker(digest)
        if utimes(marker, nil) != 0 {
            try? FileManager.default.createDirectory(atPath: directory + "/used", withIntermediateDirectories: true)
            _ = FileManager.default.createFile(atPath: marker, contents: nil)  // best effort: a missing marker only ages the entry
        }
    }

    /// Removes the least recently used blobs (not those of this run) until the cache fits its bound.
    public func evict() {
        let manager = FileManager.default
        let root = directory + "/sha256"
        guard let names = try? manager.contentsOfDirectory(atPath: root) else { return }
        let pinned = inUse.withLock { $0 }
        var entries: [(name: String, size: Int64, used: Int64)] = []
        var total: Int64 = 0
        for name in names where !name.hasPrefix(".") {
            guard let status = try? FileStatus(path: root + "/" + name) else { continue }
            let used = (try? FileStatus(path: directory + "/used/" + name))?.modifiedNanoseconds ?? status.modifiedNanoseconds
            total += status.size
            if let digest = try? Digest(parsing: "sha256:" + name), pinned.contains(digest) { continue }
            entries.append((name, status.size, used))
        }
        for entry in entries.sorted(by: { $0.used < $1.used }) where total > maximumBytes {
            unlink(root + "/" + entry.name)
            unlink(directory + "/used/" + entry.name)
            total -= entry.size
        }
    }
}
