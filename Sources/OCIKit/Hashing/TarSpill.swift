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

    /// A new file to write a tar into, kept or dropped once it is whole (`Tar.finish`); nil when the folder
    /// cannot be made (the output's own folder missing or read-only): the tar is then only hashed, and writing
    /// the output reports the problem. Never creates the output's folder.
    func start() -> Tar? {
        guard mkdir(directory, 0o700) == 0 || errno == EEXIST else { return nil }
        let path = "\(directory)/partial-\(UUID().uuidString)"
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return nil }
        return Tar(spill: self, fd: fd, path: path)
    }

    /// One tar on its way into the spill; dropped unless `finish` keeps it.
    final class Tar {
        private let spill: TarSpill
        private let fd: Int32
        private let path: String
        let sink: any ByteSink

        fileprivate init(spill: TarSpill, fd: Int32, path: String) {
            (self.spill, self.fd, self.path) = (spill, fd, path)
            sink = FileDescriptorSink(fd: fd, path: path)
        }

        deinit {
            close(fd)
            unlink(path)  // nothing left once renamed
        }

        /// Keeps the written tar as `digest` (when `keep`: its directory did not change while it was read).
        func finish(as digest: Digest, keep: Bool) {
            let kept = "\(spill.directory)/\(digest.algorithm)-\(digest.encoded)"
            if keep, rename(path, kept) == 0 { spill.files.withLock { $0[digest] = kept } }
        }
    }
}
