import Foundation

/// A file still being downloaded, readable while it grows: readers wait for the bytes they need, so a blob
/// can be uploaded as it arrives (download and upload overlap) while it is also kept whole on disk. A
/// download only appends (a retry goes on from where it stopped); one that fails fails its readers too. The
/// download checks the blob's digest before it finishes, and a reader takes the blob's last bytes only once it
/// has (`BlobTrust.checkingDownload`): what is read from a growing file is verified content, not hashed again.
public final class GrowingFile: @unchecked Sendable, Hashable {
    private let condition = NSCondition()
    private var fd: Int32 = -1
    private var path = ""
    private var written: Int64 = 0
    private var outcome: Result<String, any Error>?

    init() {}

    deinit { if fd >= 0 { close(fd) } }

    /// The download created its file at `path` (kept open for reading: it may be renamed meanwhile).
    func begin(path: String) {
        condition.withLock {
            self.path = path
            fd = open(path, O_RDONLY | O_CLOEXEC)
            condition.broadcast()
        }
    }

    func advance(by count: Int) {
        condition.withLock {
            written += Int64(count)
            condition.broadcast()
        }
    }

    /// The download ended: complete at `path` (its final place), or failed.
    func finish(_ result: Result<String, any Error>) {
        condition.withLock {
            outcome = result
            condition.broadcast()
        }
    }

    /// Waits until the download completes; the final path.
    func wait() throws -> String {
        try condition.withLock {
            while outcome == nil { condition.wait() }
            return try outcome!.get()
        }
    }

    /// Reads up to `buffer.count` bytes at `offset`, waiting for them; 0 only at the end of a finished file.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws -> Int {
        let (readFD, available, readPath) = try condition.withLock { () throws -> (Int32, Int64, String) in
            while self.fd < 0 || written <= offset {
                if let outcome {
                    _ = try outcome.get()
                    if written <= offset { return (self.fd, 0, self.path) }
                    break
                }
                condition.wait()
            }
            return (self.fd, written - offset, self.path)
        }
        guard available > 0 else { return 0 }
        while true {
            let count = pread(readFD, buffer.baseAddress, Int(min(Int64(buffer.count), available)), off_t(offset))
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { throw OCIError.io("read", readPath, errno: errno) }
            return count
        }
    }

    public static func == (lhs: GrowingFile, rhs: GrowingFile) -> Bool { lhs === rhs }
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }
}

/// A byte range of a growing file as a request body. The read that would hand over the blob's last bytes first
/// waits for the download to finish: if its digest check fails, so does this read, before the bytes go anywhere.
final class GrowingFileUploadSource: UploadSource {
    private let file: GrowingFile
    private var position: Int64
    private let end: Int64
    private let blobSize: Int64
    let length: Int64

    init(_ file: GrowingFile, offset: Int64, length: Int64, blobSize: Int64) {
        self.file = file
        self.position = offset
        self.end = offset + length
        self.length = length
        self.blobSize = blobSize
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        try Cancellation.check()
        let wanted = Int(min(Int64(buffer.count), end - position))
        guard wanted > 0 else {
            if position == blobSize { _ = try file.wait() }  // an empty blob too is checked before it counts
            return 0
        }
        let count = try file.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<wanted]), at: position)
        guard count > 0 else { throw OCIError(.sizeMismatch, "a download ended \(end - position) bytes short") }
        if position + Int64(count) == blobSize { _ = try file.wait() }
        position += Int64(count)
        return count
    }
}

/// Passes a download's bytes on to its file and tells the growing file about them.
final class GrowingFileSink: ByteSink {
    private let inner: any ByteSink
    private let file: GrowingFile

    init(_ inner: any ByteSink, _ file: GrowingFile) {
        self.inner = inner
        self.file = file
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        try inner.write(bytes)
        file.advance(by: bytes.count)
    }
}
