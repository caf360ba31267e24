#if canImport(Glibc)
import Glibc
#endif

/// A file a retried download can start over in (truncated and rewound).
final class RewindableFileSink: RestartableDownload {
    private let file: FileDescriptorSink
    init(fd: Int32, path: String) { file = FileDescriptorSink(fd: fd, path: path) }
    func write(_ bytes: UnsafeRawBufferPointer) throws { try file.write(bytes) }
    func restart() throws {
        guard ftruncate(file.fd, 0) == 0, lseek(file.fd, 0, SEEK_SET) == 0 else { throw OCIError(.io, "cannot restart a download") }
    }
}
