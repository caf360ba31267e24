import Foundation
import Synchronization

/// Remembers file digests by (path, device, inode, size, mtime, ctime) so unchanged multi-GB models are not
/// hashed again. ctime cannot be set from user space, so any write to a file changes its key.
///
/// Timestamps are coarse (a kernel tick), so a file written just before it was hashed could be written again
/// within the same tick without changing its key. Such "racy" entries (as git calls them) are not trusted:
/// the file is hashed again next time, when its ctime is old enough to be trusted.
public final class DigestCache: Sendable {
    struct Entry: Codable {
        var status: FileStatus
        var digest: Digest
        var hashStartedAt: Int64
    }

    struct Contents: Codable {
        var version = 1
        var entries: [String: Entry] = [:]
    }

    static let racyWindowNanoseconds: Int64 = 100_000_000
    static let maximumEntries = 10_000

    public let location: String
    private let state: Mutex<(contents: Contents, dirty: Bool)>

    /// Loads the cache at `location`; a missing or unreadable cache is an empty one.
    public init(location: String = DigestCache.defaultLocation()) {
        self.location = location
        var contents = Contents()
        if let data = FileManager.default.contents(atPath: location),
           let decoded = try? JSONDecoder().decode(Contents.self, from: data), decoded.version == 1 {
            contents = decoded
        }
        state = Mutex((contents, false))
    }

    /// `$EDGEPACK_CACHE_DIR/digests.json`, else the XDG cache directory, else `~/.cache/edgepack`.
    public static func defaultLocation(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let dir = environment["EDGEPACK_CACHE_DIR"], !dir.isEmpty { return dir + "/digests.json" }
        if let dir = environment["XDG_CACHE_HOME"], !dir.isEmpty { return dir + "/edgepack/digests.json" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.cache/edgepack/digests.json"
    }

    func lookup(path: String, status: FileStatus) -> Digest? {
        state.withLock { state in
            guard let entry = state.contents.entries[path], entry.status == status,
                  entry.status.changedNanoseconds < entry.hashStartedAt - Self.racyWindowNanoseconds
            else { return nil }
            return entry.digest
        }
    }

    func store(path: String, status: FileStatus, digest: Digest, hashStartedAt: Int64) {
        state.withLock { state in
            state.contents.entries[path] = Entry(status: status, digest: digest, hashStartedAt: hashStartedAt)
            state.dirty = true
        }
    }

    /// Writes the cache back (atomically) if anything was added. A cache that cannot be written is not an error
    /// worth failing a build for: the next run hashes again.
    public func save() {
        let data: Data? = state.withLock { state in
            guard state.dirty else { return nil }
            if state.contents.entries.count > Self.maximumEntries {
                let newest = state.contents.entries.sorted { $0.value.hashStartedAt > $1.value.hashStartedAt }
                state.contents.entries = Dictionary(uniqueKeysWithValues: newest.prefix(Self.maximumEntries).map { ($0.key, $0.value) })
            }
            state.dirty = false
            return try? JSONEncoder().encode(state.contents)
        }
        guard let data else { return }
        let directory = (location as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try? AtomicFile.write(data, to: location)
    }
}
