import Foundation
import Synchronization

/// A directory's tar is generated, not stored: the first time an upload needs its bytes, it is written once to
/// a temporary file (checked against its digest on the way), which chunks and retries then re-read. The file
/// is as large as the layer, and is removed when the upload ends.
final class StagedBlob: Sendable {
    private let blob: Blob
    private let digester: FileDigester?
    private let staged = Mutex<String?>(nil)

    /// With a digester whose cache vouches for the directory, the staged tar is checked by listing, not hashed.
    init(_ blob: Blob, digester: FileDigester? = nil) {
        self.blob = blob
        self.digester = digester
    }

    func path() throws -> String {
        try staged.withLock { staged in
            if let staged { return staged }
            let path = TemporaryFiles.scratchPath("layer-\(blob.descriptor.digest.encoded.prefix(16))")
            try AtomicFile.write(to: path, permissions: 0o600) { try blob.write(verifiedTo: $0, digester: digester) }
            staged = path
            return path
        }
    }

    func remove() {
        staged.withLock { staged in
            if let staged { unlink(staged) }
            staged = nil
        }
    }
}
