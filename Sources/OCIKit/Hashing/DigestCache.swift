import Foundation
import Synchronization

/// Remembers file digests by (path, device, inode, size, mtime, ctime) so unchanged multi-GB models are not
/// hashed again. ctime cannot be set from user space, so any write to a file changes its key.
///
/// Timestamps are coarse (a kernel tick), so a file written just before it was hashed could be written again
/// within the same tick without changing its key. Such "racy" entries (as git calls them) are not trusted:
/// the file is hashed again next time, when its ctime is old enough to be trusted.
///
/// A directory model (whose layer is a tar generated from it) is remembered the same way, keyed by its
/// `DirectoryListing` fingerprint: every entry's path, type, mode, size, inode, mtime, ctime and link target.
/// Any change to any entry misses; an entry is trusted only when the tree's newest ctime is older than the hash.
public final class DigestCache: Sendable {
    struct Entry {
        var status: FileStatus
        var digest: Digest
        var hashStartedAt: Int64
    }

    struct TreeEntry {
        var fingerprint: Digest
        var newestChangeNanoseconds: Int64
        var content: ContentDigest
        var hashStartedAt: Int64
    }

    static let racyWindowNanoseconds: Int64 = 100_000_000
    static let maximumEntries = 10_000
    /// The file's first line. The format is one line per entry, parsed by hand because it is read on every run
    /// and a JSON decoder costs more than the lookups: `DIGEST DEV INODE SIZE MTIME CTIME MODE STARTED PATH`
    /// (times in nanoseconds; the path last, with `%` and newlines percent-encoded). A directory's line is
    /// `tree DIGEST SIZE FINGERPRINT NEWEST_CTIME STARTED PATH` (which readers of files alone skip).
    static let header = "edgepack-digest-cache 2"

    /// Where the cache is kept; nil for a cache that lives only as long as this run.
    public let location: String?
    private let state: Mutex<(entries: [String: Entry], trees: [String: TreeEntry], dirty: Bool)>

    /// Loads the cache at `location`; a missing, unreadable or foreign cache is an empty one.
    /// With no location, the cache starts empty and is never written: digests are remembered for this run only.
    public init(location: String?) {
        self.location = location
        var entries: [String: Entry] = [:]
        var trees: [String: TreeEntry] = [:]
        if let location, let data = FileManager.default.contents(atPath: location) {
            let lines = String(decoding: data, as: UTF8.self).split(separator: "\n")
            if lines.first == Substring(Self.header) {
                for line in lines.dropFirst() {
                    if line.hasPrefix("tree ") {
                        if let (path, tree) = Self.parseTree(line) { trees[path] = tree }
                    } else if let (path, entry) = Self.parse(line) {
                        entries[path] = entry
                    }
                }
            }
        }
        state = Mutex((entries, trees, false))
    }

    func lookup(path: String, status: FileStatus) -> Digest? {
        state.withLock { state in
            guard let entry = state.entries[path], entry.status == status,
                  entry.status.changedNanoseconds < entry.hashStartedAt - Self.racyWindowNanoseconds
            else { return nil }
            return entry.digest
        }
    }

    func store(path: String, status: FileStatus, digest: Digest, hashStartedAt: Int64) {
        state.withLock { state in
            state.entries[path] = Entry(status: status, digest: digest, hashStartedAt: hashStartedAt)
            state.dirty = true
        }
    }

    func lookupTree(path: String, fingerprint: Digest) -> ContentDigest? {
        state.withLock { state in
            guard let tree = state.trees[path], tree.fingerprint == fingerprint,
                  tree.newestChangeNanoseconds < tree.hashStartedAt - Self.racyWindowNanoseconds
            else { return nil }
            return tree.content
        }
    }

    func storeTree(path: String, fingerprint: Digest, newestChangeNanoseconds: Int64, content: ContentDigest, hashStartedAt: Int64) {
        state.withLock { state in
            state.trees[path] = TreeEntry(fingerprint: fingerprint, newestChangeNanoseconds: newestChangeNanoseconds, content: content, hashStartedAt: hashStartedAt)
            state.dirty = true
        }
    }

    /// Writes the cache back (atomically) if anything was added. A cache that cannot be written is not an error
    /// worth failing a build for: the next run hashes again.
    public func save() {
        let text: String? = state.withLock { state in
            guard state.dirty else { return nil }
            state.dirty = false
            let kept = state.entries.sorted { $0.value.hashStartedAt > $1.value.hashStartedAt }.prefix(Self.maximumEntries)
            let keptTrees = state.trees.sorted { $0.value.hashStartedAt > $1.value.hashStartedAt }.prefix(Self.maximumEntries)
            let lines = [Self.header] + kept.map { Self.format($0.key, $0.value) } + keptTrees.map { Self.formatTree($0.key, $0.value) }
            return lines.joined(separator: "\n") + "\n"
        }
        guard let text, let location else { return }
        let directory = (location as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try? AtomicFile.write(Data(text.utf8), to: location, permissions: 0o600)  // it lists the user's file paths
    }

    static func encode(_ path: String) -> String {
        path.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\n", with: "%0A")
    }

    static func decode(_ field: Substring) -> String {
        String(field).replacingOccurrences(of: "%0A", with: "\n").replacingOccurrences(of: "%25", with: "%")
    }

    static func formatTree(_ path: String, _ tree: TreeEntry) -> String {
        "tree \(tree.content.digest) \(tree.content.size) \(tree.fingerprint) \(tree.newestChangeNanoseconds) \(tree.hashStartedAt) \(encode(path))"
    }

    static func parseTree(_ line: Substring) -> (String, TreeEntry)? {
        let fields = line.split(separator: " ", maxSplits: 6, omittingEmptySubsequences: false)
        guard fields.count == 7, let digest = try? Digest(parsing: String(fields[1])), let size = Int64(fields[2]),
              let fingerprint = try? Digest(parsing: String(fields[3])), let newest = Int64(fields[4]), let started = Int64(fields[5])
        else { return nil }
        let content = ContentDigest(digest: digest, size: size)
        return (decode(fields[6]), TreeEntry(fingerprint: fingerprint, newestChangeNanoseconds: newest, content: content, hashStartedAt: started))
    }

    static func format(_ path: String, _ entry: Entry) -> String {
        let status = entry.status
        let encoded = encode(path)
        return "\(entry.digest) \(status.device) \(status.inode) \(status.size) \(status.modifiedNanoseconds) \(status.changedNanoseconds) \(status.mode) \(entry.hashStartedAt) \(encoded)"
    }

    static func parse(_ line: Substring) -> (String, Entry)? {
        let fields = line.split(separator: " ", maxSplits: 8, omittingEmptySubsequences: false)
        guard fields.count == 9, let digest = try? Digest(parsing: String(fields[0])),
              let device = UInt64(fields[1]), let inode = UInt64(fields[2]), let size = Int64(fields[3]),
              let modified = Int64(fields[4]), let changed = Int64(fields[5]), let mode = UInt32(fields[6]),
              let started = Int64(fields[7])
        else { return nil }
        let path = decode(fields[8])
        let status = FileStatus(device: device, inode: inode, size: size, modifiedNanoseconds: modified, changedNanoseconds: changed, mode: mode)
        return (path, Entry(status: status, digest: digest, hashStartedAt: started))
    }
}
