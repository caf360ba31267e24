#if canImport(Glibc)
import Glibc
#endif

/// A request body that curl pulls from: a byte range of a file (read with pread, so constant memory),
/// or a few bytes in memory. A new source is made for every attempt, so a retry re-reads from disk.
public protocol UploadSource: AnyObject {
    var length: Int64 { get }
    /// Fills `buffer` with the next bytes; 0 at the end.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

public final class MemoryUploadSource: UploadSource {
    private let bytes: [UInt8]
    private var offset = 0
    public var length: Int64 { Int64(bytes.count) }

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = min(buffer.count, bytes.count - offset)
        guard count > 0 else { return 0 }
        bytes.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + offset, byteCount: count) }
        offset += count
        return count
    }
}

public final class FileUploadSource: UploadSource {
    private let fd: Int32
    private let path: String
    private var position: Int64
    private let end: Int64
    public let length: Int64

    public init(path: String, offset: Int64 = 0, length: Int64) throws {
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw OCIError.io("open", path, errno: errno) }
        _ = posix_fadvise(fd, off_t(offset), off_t(length), POSIX_FADV_SEQUENTIAL)
        self.path = path
        self.position = offset
        self.end = offset + length
        self.length = length
    }

    deinit { close(fd) }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        try Cancellation.check()
        let wanted = Int(min(Int64(buffer.count), end - position))
        guard wanted > 0 else { return 0 }
        while true {
            let count = pread(fd, buffer.baseAddress, wanted, off_t(position))
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { throw OCIError.io("read", path, errno: errno) }
            guard count > 0 else {
                throw OCIError(.sizeMismatch, "\(path) is shorter than when it was hashed; run again")
            }
            position += Int64(count)
            return count
        }
    }
}
