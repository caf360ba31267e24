import Synchronization

/// `BlobTrust` for an upload, which reads the blob by ranges across many requests (chunks, retries, resumes).
/// Hashed bytes are hashed as curl reads them, each range once, and the last byte is refused if the whole does
/// not match the descriptor: the request is aborted before the registry can complete the blob. Bytes something
/// else vouches for are only followed, for progress, then checked as that trust says.
final class UploadVerifier: Sendable {
    let descriptor: Descriptor
    private let progress: @Sendable (Int64) -> Void
    private let state = Mutex<(hasher: SHA256Hasher?, hashed: Int64)>((nil, 0))

    /// `progress` hears of each new stretch of the blob sent (not of re-sent ranges).
    init(_ descriptor: Descriptor, trust: BlobTrust, progress: @escaping @Sendable (Int64) -> Void = { _ in }) {
        self.descriptor = descriptor
        self.progress = progress
        if trust.hashes { state.withLock { $0.hasher = SHA256Hasher() } }
    }

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
            try BlobTrust.check(descriptor, digest: hasher.finalize(), size: state.hashed)
        }
    }

    func wrap(_ source: any UploadSource, at offset: Int64) -> any UploadSource {
        VerifyingUploadSource(source, offset: offset, verifier: self)
    }

    /// After the registry completed the blob: what vouched for it must still hold, and hashed content whose
    /// start this run never read (the registry resumed an upload an earlier run began) is hashed whole here.
    func finish(_ staged: StagedBlob) throws {
        try staged.trust.checkAfterwards()
        if staged.trust.hashes, state.withLock({ $0.hashed }) < descriptor.size {
            try staged.blob.write(verifiedTo: HashingSink())
        }
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
