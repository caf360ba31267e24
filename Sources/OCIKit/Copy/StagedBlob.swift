import Foundation

/// A blob as an upload reads it: by ranges, again for each chunk and retry. A directory's tar is generated, not
/// stored, so it is written once to a private temporary file (checked on the way, `Blob.write(verifiedTo:)`),
/// as large as the layer, which the upload re-reads and which is removed when the upload ends. Any other
/// content is read as it is.
struct StagedBlob {
    let blob: Blob
    let trust: BlobTrust
    private let temporary: String?

    /// With a digester whose cache vouches for a file or directory, it is checked by status, not hashed.
    init(_ blob: Blob, digester: FileDigester?) throws {
        guard case .directoryTar = blob.content else {
            (self.blob, trust, temporary) = (blob, BlobTrust(blob, digester: digester), nil)
            return
        }
        let path = TemporaryFiles.scratchPath("layer-\(blob.descriptor.digest.encoded.prefix(16))")
        try AtomicFile.write(to: path, permissions: 0o600) { try blob.write(verifiedTo: $0, digester: digester) }
        (self.blob, trust, temporary) = (Blob(descriptor: blob.descriptor, content: .file(path: path)), .checkedCopy(path: path), path)
    }

    func remove() {
        if let temporary { unlink(temporary) }
    }
}
