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
        // Owned by the scope that asked for the bytes (a copy's worker): it ends before that scope's work does.
        do {
            try CancellationScope.current.spawn(name: descriptor.downloadThreadName) {
                pipe.finish(Result { try client.streamBlob(descriptor, from: repository, offset: offset, into: pipe) })
            }
        } catch {
            pipe.finish(.failure(error))
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
        guard remaining > 0 else {
            if endsTheBlob { try download.pipe.awaitOutcome() }  // an empty blob too is checked before it counts
            return 0
        }
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
    /// Downloads a blob from `offset` to its end into `pipe` (`download`). From the first byte, the whole blob is
    /// checked against its digest before this returns.
    func streamBlob(_ descriptor: Descriptor, from repository: Repository, offset: Int64, into pipe: BytePipe) throws {
        try download(descriptor, from: repository, into: DeclaredSizeSink(descriptor, host: host, forwardingTo: pipe, from: offset))
    }
}

extension BytePipe: ByteSink {}

extension Descriptor {
    /// The name of a thread that downloads this blob: `dl-` and the start of its digest.
    var downloadThreadName: String { "dl-" + digest.encoded.prefix(12) }
}
