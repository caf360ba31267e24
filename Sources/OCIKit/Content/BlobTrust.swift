/// How a blob's bytes are checked on their way into any destination: the one place that decides, for a file or
/// an archive (`Blob.write(verifiedTo:)`), a folder of files (the same) and an upload (`UploadVerifier`).
///
/// The rule is a SHA-256 of the bytes as they stream, compared with the descriptor before the last byte is
/// handed over. Bytes this run has already checked are not hashed a second time; each such shortcut, and what
/// then stands in for the hash, is one case here.
enum BlobTrust {
    /// Nothing vouches for the bytes: they are hashed.
    case hashed
    /// A private file this run wrote and checked as it was written (a directory's tar kept as it was hashed, or
    /// staged for an upload).
    case checkedCopy(path: String)
    /// A file the digest cache knows unchanged: its status must be the same after the copy.
    case unchangedFile(path: String, status: FileStatus)
    /// A directory the digest cache knows unchanged: its tar is written from that listing, which must still hold
    /// after the copy.
    case unchangedDirectory(path: String, options: TarOptions, listing: DirectoryListing)
    /// A registry download, which hashes the blob itself from its first byte: every reader of it (growing file,
    /// stream) hands over the blob's last byte only once that check passed. A reader from further in (an upload
    /// resumed at the registry's offset) reads bytes the registry checks when it completes the blob.
    case checkingDownload

    init(_ blob: Blob, digester: FileDigester?) {
        let descriptor = blob.descriptor
        switch blob.content {
        case .growing, .streamed:
            self = .checkingDownload
        case .file(let path):
            if let status = digester?.trustedStatus(of: path, digest: descriptor.digest), status.size == descriptor.size {
                self = .unchangedFile(path: path, status: status)
            } else {
                self = .hashed
            }
        case .directoryTar(let path, let options):
            if let kept = digester?.spill?.file(for: descriptor.digest) {
                self = .checkedCopy(path: kept)
            } else if let listing = digester?.trustedListing(of: path, options: options, digest: descriptor.digest, size: descriptor.size) {
                self = .unchangedDirectory(path: path, options: options, listing: listing)
            } else {
                self = .hashed
            }
        case .bytes, .fileRange, .partsRange:
            self = .hashed
        }
    }

    var hashes: Bool { if case .hashed = self { true } else { false } }

    /// What a hash found, against the descriptor.
    static func check(_ descriptor: Descriptor, digest: Digest, size: Int64) throws {
        guard digest == descriptor.digest, size == descriptor.size else {
            throw OCIError(.digestMismatch, "the content of \(descriptor.digest) does not match its descriptor (it hashes to \(digest), \(size) bytes): it changed since it was hashed, or its source is damaged; refusing it")
        }
    }

    /// After the bytes went through: what vouched for them must still hold.
    func checkAfterwards() throws {
        switch self {
        case .unchangedFile(let path, let status):
            guard (try? FileStatus(path: path)) == status else { throw Self.changed(path) }
        case .unchangedDirectory(let path, _, let listing):
            guard (try? DirectoryListing(directory: path)) == listing else { throw Self.changed(path) }
        case .hashed, .checkedCopy, .checkingDownload:
            break
        }
    }

    static func changed(_ path: String) -> OCIError {
        OCIError(.digestMismatch, "\(path) changed while it was being copied; run again")
    }
}
