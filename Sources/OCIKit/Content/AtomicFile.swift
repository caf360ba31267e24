import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Files that appear whole or not at all: written beside their destination, then renamed over it.
public enum AtomicFile {
    /// A unique temporary path in the same directory as `path`, so that `rename` stays on one file system;
    /// it names this process (see `TemporaryFiles`), so a later run removes it if this one is killed.
    public static func temporaryPath(for path: String) -> String {
        let directory = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        let prefix = directory.isEmpty ? "" : directory + "/"
        return "\(prefix).\(name)\(TemporaryFiles.suffix())"
    }

    public static func write(_ data: Data, to path: String, permissions: Int = 0o644) throws {
        try write(to: path, permissions: permissions) { sink in
            try data.withUnsafeBytes { try sink.write($0) }
        }
    }

    /// Streams into a temporary file via `body`, fsyncs it, then renames it to `path`.
    /// On any error the temporary file is removed and `path` is left as it was.
    public static func write(to path: String, permissions: Int = 0o644, _ body: (FileDescriptorSink) throws -> Void) throws {
        let temporary = temporaryPath(for: path)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode_t(permissions))
        guard fd >= 0 else { throw OCIError.io("create", path, errno: errno) }
        var committed = false
        defer {
            if !committed { unlink(temporary) }
        }
        do {
            try body(FileDescriptorSink(fd: fd, path: path))
            guard fsync(fd) == 0 else { throw OCIError.io("write", path, errno: errno) }
        } catch {
            close(fd)
            throw error
        }
        guard close(fd) == 0 else { throw OCIError.io("write", path, errno: errno) }
        guard rename(temporary, path) == 0 else { throw OCIError.io("rename into place", path, errno: errno) }
        committed = true
    }
}
