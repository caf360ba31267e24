#if canImport(Glibc)
import Glibc
#endif

/// Streams a file to a sink in large aligned chunks: constant memory whatever the file size.
public enum FileStreamer {
    /// Big enough to amortise syscalls and keep SHA-NI busy, small enough to stay in L2/L3.
    public static let chunkSize = 1 << 20

    /// Streams the whole of `path` into `sink` and returns the number of bytes read.
    /// With `expectedSize`, a file that is now shorter or longer is an error (it changed after hashing).
    @discardableResult
    public static func stream(path: String, into sink: any ByteSink, expectedSize: Int64? = nil) throws -> Int64 {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw OCIError.io("open", path, errno: errno) }
        defer { close(fd) }
        _ = posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL)
        return try stream(fd: fd, path: path, into: sink, expectedSize: expectedSize)
    }

    /// An aligned chunk-sized read buffer, reused across the many files of a directory.
    final class Buffer {
        let pointer: UnsafeMutableRawPointer
        init() throws {
            var buffer: UnsafeMutableRawPointer?
            guard posix_memalign(&buffer, 4096, FileStreamer.chunkSize) == 0, let buffer else {
                throw OCIError(.io, "out of memory for a read buffer")
            }
            pointer = buffer
        }
        deinit { free(pointer) }
    }

    /// Streams exactly `exactSize` bytes of `path` into `sink`: a small file takes one `read`, with no read of its
    /// end and no advice (a file that grows meanwhile is caught by its status, which the caller checks).
    static func stream(path: String, into sink: any ByteSink, exactSize: Int64, buffer: Buffer) throws {
        if exactSize == 0 {
            // Nothing to read; only make sure it can still be opened, as `tar` would.
            guard access(path, R_OK) == 0 else { throw OCIError.io("open", path, errno: errno) }
            return
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw OCIError.io("open", path, errno: errno) }
        defer { close(fd) }
        if exactSize > chunkSize { _ = posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL) }
        var total: Int64 = 0
        while total < exactSize {
            let count = read(fd, buffer.pointer, Int(min(Int64(chunkSize), exactSize - total)))
            if count < 0 {
                if errno == EINTR { continue }
                throw OCIError.io("read", path, errno: errno)
            }
            if count == 0 {
                throw OCIError(.sizeMismatch, "\(path) changed while it was being read (expected \(exactSize) bytes); run again")
            }
            total += Int64(count)
            try sink.write(UnsafeRawBufferPointer(start: buffer.pointer, count: count))
        }
    }

    /// Streams an upload source (a file range, a download's reader) into `sink` in chunks.
    static func stream(source: any UploadSource, into sink: any ByteSink) throws {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 4096)
        defer { buffer.deallocate() }
        while true {
            try Cancellation.check()
            let count = try source.read(into: buffer)
            if count == 0 { return }
            try sink.write(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
    }

    static func stream(fd: Int32, path: String, into sink: any ByteSink, expectedSize: Int64?) throws -> Int64 {
        var buffer: UnsafeMutableRawPointer?
        guard posix_memalign(&buffer, 4096, chunkSize) == 0, let buffer else {
            throw OCIError(.io, "out of memory reading \(path)")
        }
        defer { free(buffer) }
        var total: Int64 = 0
        while true {
            try Cancellation.check()
            let count = read(fd, buffer, chunkSize)
            if count < 0 {
                if errno == EINTR { continue }
                throw OCIError.io("read", path, errno: errno)
            }
            if count == 0 { break }
            total += Int64(count)
            if let expectedSize, total > expectedSize { break }
            try sink.write(UnsafeRawBufferPointer(start: buffer, count: count))
        }
        if let expectedSize, total != expectedSize {
            throw OCIError(.sizeMismatch, "\(path) changed while it was being read (expected \(expectedSize) bytes); run again")
        }
        return total
    }
}
