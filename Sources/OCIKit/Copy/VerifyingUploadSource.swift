import Synchronization

/// Hashes a blob's bytes as an upload reads them, across every request of the upload (chunks, retries,
/// resumes), and refuses the last byte if the whole does not match the descriptor: the request is aborted
/// before the registry can complete the blob. Ranges read again (a retried chunk) are hashed once. Made with
/// `hashing` false (bytes already vouched for some other way), it only follows the offsets and the progress.
final class UploadVerifier: Sendable {
    let descriptor: Descriptor
    private let progress: @Sendable (Int64) -> Void
    private let state = Mutex<(hasher: SHA256Hasher?, hashed: Int64)>((SHA256Hasher(), 0))

    /// `progress` hears of each new stretch of the blob sent (not of re-sent ranges).
    init(_ descriptor: Descriptor, hashing: Bool = true, progress: @escaping @Sendable (Int64) -> Void = { _ in }) {
        self.descriptor = descriptor
        self.progress = progress
        if !hashing { state.withLock { $0.hasher = nil } }
    }

    /// Whether every byte passed through in order (a resumed upload may have skipped a prefix).
    var sawEverything: Bool { state.withLock { $0.hashed == descriptor.size } }

    func observe(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws {
        try state.withLock { state in
            guard offset <= state.hashed, offset + Int64(bytes.count) > state.hashed else { return }
            let skip = Int(state.hashed - offset)
            state.hashed += Int64(bytes.count - skip)
            progress(Int64(bytes.count - skip))
            guard let hasher = state.hasher else { return }
            hasher.update(UnsafeRawBufferPointer(rebasing: bytes[skip...]))
            guard state.hashed >= descriptor.size else { return }
            state.hasher = nil
            let actual = hasher.finalize()
            guard actual == descriptor.digest, state.hashed == descriptor.size else {
                throw OCIError(.digestMismatch, "the content of \(descriptor.digest) does not match its descriptor (it hashes to \(actual)); refusing to upload it")
            }
        }
    }

    func wrap(_ source: any UploadSource, at offset: Int64) -> any UploadSource {
        VerifyingUploadSource(source, offset: offset, verifier: self)
    }
}

final class VerifyingUploadSource: UploadSource {
    private let source: any UploadSource
    private var position: Int64
    private let verifier: UploadVerifier

    init(_ source: any UploadSource, offset: Int64, verifier: UploadVerifier) {
        self.source = source
        self.position = offset
        self.verifier = verifier
    }

    var length: Int64 { source.length }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = try source.read(into: buffer)
        try verifier.observe(UnsafeRawBufferPointer(rebasing: buffer[0..<count]), at: position)
        position += Int64(count)
        return count
    }
}
