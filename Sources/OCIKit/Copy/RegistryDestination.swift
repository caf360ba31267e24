/// A registry, under a repository prefix (`acme/edge`), as a copy destination. Blobs are uploaded through a
/// local hash check (a lying source is refused before the registry completes the blob), mounted across
/// repositories of the same registry, and skipped when present; a manifest's tag is its last write.
public struct RegistryDestination: ContentDestination {
    public let client: RegistryClient
    /// The path under the registry host, e.g. `acme/edge` (may be empty).
    public let prefixPath: String

    public init(client: RegistryClient, prefixPath: String) {
        self.client = client
        self.prefixPath = prefixPath
    }

    /// The registry's repository for a name relative to the prefix.
    public func repository(_ relative: String) -> Repository {
        Repository(prefixPath).appending(relative)
    }

    public func displayName(_ repository: String) -> String { self.repository(repository).path }

    public var tagVouchesForBlobs: Bool { true }

    public func prepare(repositories: [String]) {
        client.willPush(to: repositories.map(repository))
    }

    public func hasBlob(_ descriptor: Descriptor, in repository: String) throws -> Bool {
        try client.blobSize(descriptor.digest, in: self.repository(repository)) != nil
    }

    public func mountBlob(_ descriptor: Descriptor, into repository: String, from origin: String) throws -> Bool {
        try client.mountBlob(descriptor.digest, into: self.repository(repository), from: self.repository(origin))
    }

    /// Only within this registry host; a refusal (the account cannot read the source repository) is a "no".
    public func mountBlob(_ descriptor: Descriptor, into repository: String, fromSource origin: BlobOrigin) -> Bool {
        guard origin.host == client.host else { return false }
        return (try? client.mountBlob(descriptor.digest, into: self.repository(repository), from: origin.repository)) ?? false
    }

    public func putBlob(_ blob: Blob, in repository: String, progress: @escaping @Sendable (Int64) -> Void) throws {
        if case .bytes(let bytes) = blob.content, Int64(bytes.count) != blob.descriptor.size {
            throw OCIError(.sizeMismatch, "blob \(blob.descriptor.digest) holds \(bytes.count) bytes where its descriptor says \(blob.descriptor.size); refusing to upload it")
        }
        let verifier = UploadVerifier(blob.descriptor, progress: progress)
        let staged = StagedBlob(blob)
        defer { staged.remove() }
        let content = blob.content
        _ = try client.pushBlob(blob.descriptor, to: self.repository(repository)) { offset, length in
            let source: any UploadSource = switch content {
            case .bytes(let bytes): MemoryUploadSource(Array(bytes[Int(offset)..<Int(offset + length)]))
            case .file(let path): try FileUploadSource(path: path, offset: offset, length: length)
            case .fileRange(let path, let start, _): try FileUploadSource(path: path, offset: start + offset, length: length)
            case .directoryTar: try FileUploadSource(path: staged.path(), offset: offset, length: length)
            case .growing(let file, _): GrowingFileUploadSource(file, offset: offset, length: length)
            }
            return verifier.wrap(source, at: offset)
        }
        if !verifier.sawEverything {
            // The registry resumed an upload whose start this run never read: check the whole content here.
            try blob.write(verifiedTo: HashingSink())
        }
    }

    public func manifestDigest(_ reference: String, in repository: String) throws -> Digest? {
        try client.manifestDigest(ManifestReference(reference), in: self.repository(repository))
    }

    public func putManifest(_ blob: Blob, in repository: String, tag: String?) throws {
        try client.putManifest(blob, as: tag.map(ManifestReference.tag) ?? .digest(blob.descriptor.digest), in: self.repository(repository))
    }
}
