/// Passes on the body of a successful answer up to a blob's declared size; one byte more fails the download
/// (a registry that sends on and on fills neither memory nor disk). Error bodies are dropped.
final class DeclaredSizeSink: StatusAwareSink, RestartableDownload {
    private let downstream: HashingSink
    private let descriptor: Descriptor
    private let host: String
    private var accepting = false

    init(forwardingTo downstream: HashingSink, descriptor: Descriptor, host: String) {
        self.downstream = downstream
        self.descriptor = descriptor
        self.host = host
    }

    func responseStarted(status: Int) { accepting = (200..<300).contains(status) }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard accepting else { return }
        guard downstream.count + Int64(bytes.count) <= descriptor.size else { throw Self.overrun(descriptor, host: host) }
        try downstream.write(bytes)
    }

    func restart() throws { try downstream.restart() }

    /// The error for a body longer than the blob's declared size.
    static func overrun(_ descriptor: Descriptor, host: String) -> OCIError {
        OCIError(.sizeMismatch, "\(host) sent more than the \(descriptor.size) bytes declared for \(descriptor.digest); refusing it")
    }
}
