import Foundation
import OCIKit

/// The agent's state folder: `status.json`, `versions/VERSION` (complete, verified pulls only), `staging/` (a
/// pull in progress), `current` (a symlink to `versions/VERSION`: what the site runs) and `.lock` (one agent at a
/// time). Everything here is the agent's own; nothing outside it is touched.
public struct AgentStateDirectory: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    public var statusFile: String { path + "/status.json" }
    var versions: String { path + "/versions" }
    var staging: String { path + "/staging" }
    var currentLink: String { path + "/current" }

    public func versionFolder(_ version: String) -> String { versions + "/" + version }
    func stagingFolder(_ version: String) -> String { staging + "/" + version }

    /// The file in a version folder naming the pipeline digest it holds (written once the pull is complete).
    static let digestFile = ".edgepack-agent-digest"

    /// Creates the folder (0700: it may hold pulled models the site keeps private) and takes its lock; the lock is
    /// held until the process exits. A pull interrupted earlier is discarded (its downloads resume from the
    /// partial-download folder).
    func open() throws -> Int32 {
        do {
            try FileManager.default.createDirectory(atPath: versions, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw OCIError(.io, "cannot create the agent state folder \(path): \(MessageText.escaped(error.localizedDescription))")
        }
        let descriptor = Foundation.open(path + "/.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw OCIError.agentIO("open", path + "/.lock", errno: errno) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw OCIError(.io, "another edgepack agent is using the state folder \(path); stop it first, or give this one its own state folder")
        }
        try? FileManager.default.removeItem(atPath: staging)
        return descriptor
    }

    public func readStatus() throws -> AgentStatus? {
        guard let data = FileManager.default.contents(atPath: statusFile) else { return nil }
        return try AgentStatus.decode(Array(data), what: statusFile)
    }

    func writeStatus(_ status: AgentStatus) throws {
        try AtomicFile.write(Data(try status.json().utf8) + Data("\n".utf8), to: statusFile)
    }

    /// The version `current` points at, when it points at a complete version folder.
    func currentVersion() -> String? {
        guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: currentLink) else { return nil }
        let name = (target as NSString).lastPathComponent
        return completeDigest(name) == nil ? nil : name
    }

    /// The digest a complete version folder holds, or nil when there is none (or it is incomplete).
    func completeDigest(_ version: String) -> String? {
        guard let data = FileManager.default.contents(atPath: versionFolder(version) + "/" + Self.digestFile) else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Puts a complete pull in place: the staged folder gets its digest file, then is renamed to `versions/VERSION`.
    func commitPull(_ version: String, digest: String) throws {
        let staged = stagingFolder(version)
        try AtomicFile.write(Data(digest.utf8), to: staged + "/" + Self.digestFile)
        let destination = versionFolder(version)
        if FileManager.default.fileExists(atPath: destination) { try FileManager.default.removeItem(atPath: destination) }
        guard rename(staged, destination) == 0 else { throw OCIError.agentIO("rename into place", destination, errno: errno) }
        rmdir(staging)
    }

    /// Points `current` at `versions/VERSION`: a new link under a temporary name, renamed over the old one
    /// (rename is atomic: `current` is always the old version or the new one).
    func switchCurrent(to version: String) throws {
        let temporary = AtomicFile.temporaryPath(for: currentLink)
        guard symlink("versions/" + version, temporary) == 0 else { throw OCIError.agentIO("create", temporary, errno: errno) }
        guard rename(temporary, currentLink) == 0 else {
            let code = errno
            unlink(temporary)
            throw OCIError.agentIO("rename into place", currentLink, errno: code)
        }
    }

    /// Removes version folders not in `keep` and anything else left in `versions/`, and the temporary files an
    /// interrupted write left in the folder (the lock is held: no other agent writes here).
    func prune(keeping keep: Set<String>) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: versions)) ?? [] where !keep.contains(name) {
            try? FileManager.default.removeItem(atPath: versions + "/" + name)
        }
        // Only edgepack's own temporary names whose writer is gone: the state folder may be one the user shares.
        _ = TemporaryFiles.removeStale(in: [path])
    }
}

extension OCIError {
    /// `cannot ACTION PATH: the system's reason`.
    static func agentIO(_ action: String, _ path: String, errno code: Int32) -> OCIError {
        OCIError(.io, "cannot \(action) \(path): \(String(cString: strerror(code)))")
    }
}
