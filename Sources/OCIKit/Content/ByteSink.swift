#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Somewhere bytes are streamed to: a file, a hash, a tar entry, an upload.
public protocol ByteSink: AnyObject {
    func write(_ bytes: UnsafeRawBufferPointer) throws
}

/// Hashes and counts what passes through, then forwards it (or only hashes, with no downstream).
public final class HashingSink: ByteSink {
    private var hasher = SHA256Hasher()
    private let downstream: (any ByteSink)?
    public private(set) var count: Int64 = 0

    public init(forwardingTo downstream: (any ByteSink)? = nil) {
        self.downstream = downstream
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        hasher.update(bytes)
        count += Int64(bytes.count)
        try downstream?.write(bytes)
    }

    public func finalize() -> Digest { hasher.finalize() }
}

extension HashingSink: RestartableDownload {
    /// Starts over (a retried download), if what it forwards to can; with nothing forwarded yet, trivially.
    func restart() throws {
        if let rewindable = downstream as? RestartableDownload {
            try rewindable.restart()
        } else if count > 0, downstream != nil {
            throw OCIError(.network, "a download was interrupted and cannot restart")
        }
        hasher = SHA256Hasher()
        count = 0
    }
}

/// Counts what passes through to `downstream`.
final class CountingSink: ByteSink {
    private let downstream: any ByteSink
    private(set) var count: Int64 = 0

    init(forwardingTo downstream: any ByteSink) { self.downstream = downstream }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        count += Int64(bytes.count)
        try downstream.write(bytes)
    }
}

/// Reports how many bytes pass through, then forwards them.
final class ProgressSink: ByteSink {
    private let downstream: any ByteSink
    private let progress: @Sendable (Int64) -> Void

    init(forwardingTo downstream: any ByteSink, progress: @escaping @Sendable (Int64) -> Void) {
        self.downstream = downstream
        self.progress = progress
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        try downstream.write(bytes)
        progress(Int64(bytes.count))
    }
}

/// Writes to an open file descriptor, retrying short writes and EINTR.
public final class FileDescriptorSink: ByteSink {
    public let fd: Int32
    private let pathForErrors: String

    public init(fd: Int32, path: String) {
        self.fd = fd
        self.pathForErrors = path
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard var cursor = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let written = Glibc.write(fd, cursor, remaining)
            if written < 0 {
                if errno == EINTR { continue }
                throw OCIError.io("write", pathForErrors, errno: errno)
            }
            remaining -= written
            cursor += written
        }
    }
}

/// Collects bytes in memory; only for small blobs (manifests, configs).
public final class MemorySink: ByteSink {
    public private(set) var bytes: [UInt8] = []
    public init() {}
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        self.bytes.append(contentsOf: bytes)
    }
}
