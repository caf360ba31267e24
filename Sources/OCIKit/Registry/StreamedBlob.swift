import Foundation
import Synchronization

/// A registry blob read straight from its download by whatever consumes it (an upload into another registry,
/// a bundle being written), through a small buffer: nothing touches the disk. A download runs from where its
/// first reader starts to the blob's end; a reader that wants the bytes where the last one stopped (the next
/// chunk of a chunked upload) goes on with the same download, any other (an upload resumed at the registry's
/// offset) starts a new one there (a `Range` request). A download from the first byte checks the whole blob
/// against its digest, and hands its last bytes over only once they check out, so a lying source never
/// completes anything. A download that starts further in cannot check the part it reads: its consumer does
/// (a registry checks the digest of every upload it completes).
public final class StreamedBlob: @unchecked Sendable, Hashable {
    let client: RegistryClient
    let descriptor: Descriptor
    let repository: Repository
    /// The download the last reader finished with, waiting for the next reader.
    private let parked = Mutex<StreamedDownload?>(nil)

    /// Bytes buffered per download: enough to keep both transfers busy, small enough for several at once.
    static let bufferSize = 1 << 20

    init(client: RegistryClient, descriptor: Descriptor, repository: Repository) {
        self.client = client
        self.descriptor = descriptor
        self.repository = repository
    }

    deinit { parked.withLock { $0?.stop() } }

    /// The `length` bytes from `offset`, as they arrive.
    func reader(offset: Int64, length: Int64) -> StreamedBlobReader {
        var download = parked.withLock { $0.take() }
        if let stale = download, stale.position != offset {
            stale.stop()
            download = nil
        }
        return StreamedBlobReader(download ?? start(at: offset), length: length, endsTheBlob: offset + length == descriptor.size) { [weak self] done in
            guard let self else { return done.stop() }
            parked.withLock { parked in
                parked?.stop()
                parked = done
            }
        }
    }

    private func start(at offset: Int64) -> StreamedDownload {
        let download = StreamedDownload(position: offset)
        let (client, descriptor, repository, pipe) = (self.client, self.descriptor, self.repository, download.pipe)
        Thread.detachNewThread {
            pipe.finish(Result { try client.streamBlob(descriptor, from: repository, offset: offset, into: pipe) })
        }
        return download
    }

    public static func == (lhs: StreamedBlob, rhs: StreamedBlob) -> Bool { lhs === rhs }
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }
}

/// A download running to the blob's end, and how far its readers have taken it.
final class StreamedDownload: @unchecked Sendable {
    let pipe = BytePipe(capacity: StreamedBlob.bufferSize)
    /// The blob offset of the next byte to read (one reader at a time).
    var position: Int64

    init(position: Int64) { self.position = position }

    /// No one will read on: the download stops at its next write.
    func stop() { pipe.closeReading() }
}

/// A stretch of a download as a request body (or any stream). At the blob's end, it waits for the download's
/// check of the whole blob before it hands over the last bytes.
final class StreamedBlobReader: UploadSource {
    private let download: StreamedDownload
    private var remaining: Int64
    private let endsTheBlob: Bool
    private let handBack: (StreamedDownload) -> Void
    let length: Int64

    /// `handBack` gets the download when this reader has read all it wanted, for the next reader to go on with.
    init(_ download: StreamedDownload, length: Int64, endsTheBlob: Bool, handBack: @escaping (StreamedDownload) -> Void) {
        self.download = download
        self.remaining = length
        self.length = length
        self.endsTheBlob = endsTheBlob
        self.handBack = handBack
    }

    deinit {
        if remaining == 0, !endsTheBlob { handBack(download) } else { download.stop() }
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        try Cancellation.check()
        guard remaining > 0 else { return 0 }
        let wanted = Int(min(Int64(buffer.count), remaining))
        let count = try download.pipe.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<wanted]))
        guard count > 0 else { throw OCIError(.sizeMismatch, "a download ended \(remaining) bytes short") }
        remaining -= Int64(count)
        download.position += Int64(count)
        if remaining == 0, endsTheBlob { try download.pipe.awaitOutcome() }
        return count
    }
}

extension RegistryClient {
    /// Downloads a blob from `offset` to its end into `pipe`, going on from where a dropped connection left
    /// off. From the first byte, the whole blob is checked against its digest before this returns.
    func streamBlob(_ descriptor: Descriptor, from repository: Repository, offset: Int64, into pipe: BytePipe) throws {
        let length = descriptor.size - offset
        let whole = offset == 0
        let sink = RangeSink(pipe, length: length, hashing: whole, descriptor: descriptor, host: host)
        let url = "\(baseURL)/v2/\(repository)/blobs/\(descriptor.digest)"
        var failures = 0
        var furthest: Int64 = 0
        if offset > 0 { counters.note(.resumedDownload) }  // an upload resumed mid-blob
        defer { counters.downloadedBytesCounter.add(sink.delivered, ordering: .relaxed) }
        while sink.delivered < length {
            let start = offset + sink.delivered
            sink.expect(start: start)
            let headers = start == 0 ? [] : [("Range", "bytes=\(start)-")]
            do {
                let response = try send(HTTPRequest(method: .get, url: url, headers: headers), scopes: [Self.scope(repository, "pull")],
                                        into: sink, retrying: false)
                if RetryPolicy.isRetryable(status: response.status) {
                    throw OCIError(.network, "\(host) failed to send \(descriptor.digest) (HTTP \(response.status))")
                }
                guard response.status == 200 || response.status == 206 else { throw failure(response, "download \(descriptor.digest) from \(repository)") }
                guard sink.delivered >= length else { throw OCIError(.network, "\(host) ended \(descriptor.digest) early") }
            } catch let error as OCIError where error.code == .network {
                failures += 1
                if sink.delivered > furthest { furthest = sink.delivered; failures = 0 }
                guard failures < options.retry.attempts, !(error.isStall && failures > 1) else { throw error }
                try pause(attempt: failures - 1, retryAfter: nil, sink: nil)
                if sink.delivered > 0 { counters.note(.resumedDownload) }
            }
        }
        if let digest = sink.finalize() {
            guard digest == descriptor.digest else {
                throw OCIError(.digestMismatch, "\(host) sent content for \(descriptor.digest) that hashes to \(digest); refusing it")
            }
        }
    }
}

/// Passes on the body of a successful answer (not an error page), hashing it when asked; a byte past `length`
/// in all fails the download. A whole-blob answer (200) to a `Range` request has its leading bytes skipped.
private final class RangeSink: StatusAwareSink {
    private let pipe: BytePipe
    private let length: Int64
    private var hasher: SHA256Hasher?
    private(set) var delivered: Int64 = 0
    private var accepting = false
    private var start: Int64 = 0
    private var skip: Int64 = 0

    private let descriptor: Descriptor
    private let host: String

    init(_ pipe: BytePipe, length: Int64, hashing: Bool, descriptor: Descriptor, host: String) {
        self.pipe = pipe
        self.length = length
        self.descriptor = descriptor
        self.host = host
        self.hasher = hashing ? SHA256Hasher() : nil
    }

    /// The next answer should begin at `start` of the blob.
    func expect(start: Int64) { self.start = start }

    func responseStarted(status: Int) {
        accepting = status == 200 || status == 206
        skip = status == 200 ? start : 0
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard accepting else { return }
        var bytes = bytes
        if skip > 0 {
            let dropped = Int(min(skip, Int64(bytes.count)))
            skip -= Int64(dropped)
            bytes = UnsafeRawBufferPointer(rebasing: bytes[dropped...])
        }
        guard Int64(bytes.count) <= length - delivered else { throw DeclaredSizeSink.overrun(descriptor, host: host) }
        let part = bytes
        hasher?.update(part)
        try pipe.write(part)
        delivered += Int64(part.count)
    }

    /// The digest of what was delivered, when hashing.
    func finalize() -> Digest? { hasher?.finalize() }
}
