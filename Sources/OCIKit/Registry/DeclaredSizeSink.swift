/// The one sink every blob download writes through (`RegistryClient.download`). It passes on the body of a
/// successful answer (error bodies are dropped), skips what a whole-blob answer (200) to a `Range` request
/// repeats, and refuses one byte past the blob's declared size (a registry that sends on and on fills neither
/// memory nor disk). When it has seen the blob from its first byte it hashes it as it passes, so the download
/// ends with the digest checked; one that starts further in (an upload resumed mid-blob reading from there)
/// leaves that check to its consumer.
final class DeclaredSizeSink: StatusAwareSink {
    let descriptor: Descriptor
    private let downstream: any ByteSink
    private let host: String
    private let hasher: SHA256Hasher?
    /// The blob offset of the next byte to pass on.
    private(set) var position: Int64
    /// Where this download's own bytes begin: bytes before it are not its to resume (a stream from an offset).
    let origin: Int64
    private var accepting = false
    private var skip: Int64 = 0

    /// From `offset` (hashed only from 0), or going on after `held` bytes already hashed (a partial file).
    init(_ descriptor: Descriptor, host: String, forwardingTo downstream: any ByteSink, from offset: Int64 = 0,
         holding held: (count: Int64, hasher: SHA256Hasher)? = nil) {
        self.descriptor = descriptor
        self.downstream = downstream
        self.host = host
        origin = offset
        position = offset + (held?.count ?? 0)
        hasher = held?.hasher ?? (offset == 0 ? SHA256Hasher() : nil)
    }

    func responseStarted(status: Int) {
        accepting = status == 200 || status == 206
        skip = status == 200 ? position : 0  // a whole-blob answer repeats what was passed on already
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard accepting else { return }
        var bytes = bytes
        if skip > 0 {
            let dropped = Int(min(skip, Int64(bytes.count)))
            skip -= Int64(dropped)
            bytes = UnsafeRawBufferPointer(rebasing: bytes[dropped...])
        }
        guard Int64(bytes.count) <= descriptor.size - position else { throw Self.overrun(descriptor, host: host) }
        hasher?.update(bytes)
        try downstream.write(bytes)
        position += Int64(bytes.count)
    }

    /// Checks the digest of the whole blob, when this sink saw it all.
    func verify() throws {
        guard let hasher else { return }
        let digest = hasher.finalize()
        guard digest == descriptor.digest, position == descriptor.size else {
            throw OCIError(.digestMismatch, "\(host) sent content for \(descriptor.digest) that hashes to \(digest) (\(position) bytes); refusing it")
        }
    }

    /// The error for a body longer than the blob's declared size.
    static func overrun(_ descriptor: Descriptor, host: String) -> OCIError {
        OCIError(.sizeMismatch, "\(host) sent more than the \(descriptor.size) bytes declared for \(descriptor.digest); refusing it")
    }
}
