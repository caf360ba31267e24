import Foundation
import Synchronization

/// Directory tars kept, as they are hashed, in a folder beside the output that will take them (an export's
/// bundle): the bundle is then written from that one file, where it would otherwise read every file of the
/// directory a second time (20,000 small files cost more to open and read than to hash). A tar is kept only
/// if its directory did not change while it was read. The folder goes when the spill does, or with the next
/// run's sweep of temporary files if this one is killed; it needs as much room as the directory layers.
public final class TarSpill: Sendable {
    public let directory: String
    private let files = Mutex<[Digest: String]>([:])

    /// A folder next to `output` (same filesystem: the bundle's room is checked there).
    public init(beside output: String) {
        directory = AtomicFile.temporaryPath(for: output + "-layers")
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    /// The kept tar with this digest, if any.
    func file(for digest: Digest) -> String? { files.withLock { $0[digest] } }

    /// Hashes what `write` produces while writing it to a new file; `keep` (asked once the bytes are all written)
    /// says whether to keep that file under its digest.
    func hash(_ write: (any ByteSink) throws -> Void, keep: () -> Bool) throws -> ContentDigest {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let partial = "\(directory)/partial-\(UUID().uuidString)"
        let fd = open(partial, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw OCIError.io("create", partial, errno: errno) }
        let hasher = HashingSink(forwardingTo: FileDescriptorSink(fd: fd, path: partial))
        do {
            try write(hasher)
        } catch {
            close(fd)
            unlink(partial)
            throw error
        }
        close(fd)
        let content = ContentDigest(digest: hasher.finalize(), size: hasher.count)
        let kept = "\(directory)/\(content.digest.algorithm)-\(content.digest.encoded)"
        if keep(), rename(partial, kept) == 0 {
            files.withLock { $0[content.digest] = kept }
        } else {
            unlink(partial)
        }
        return content
    }
}
