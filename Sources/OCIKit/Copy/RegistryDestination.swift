/// A registry, under a repository prefix (`acme/edge`), as a copy destination. Blobs are uploaded through a
/// local check (`BlobTrust`: a lying source is refused before the registry completes the blob), mounted across
/// repositories of the same registry, and skipped when present; a manifest's tag is its last write.
public struct RegistryDestination: ContentDestination {
    public let client: RegistryClient
    /// The path under the registry host, e.g. `acme/edge` (may be empty).
    public let prefixPath: String
    private let digester: FileDigester?

    public init(client: RegistryClient, prefixPath: String, digester: FileDigester? = nil) {
        self.client = client
        self.prefixPath = prefixPath
        self.digester = digester
    }

    /// The registry's repository for a name relative to the prefix.
    public func repository(_ relative: String) -> Repository {
        Repository(unchecked: prefixPath).appending(relative)
    }

    public func repository(_ relative: Repository) -> Repository { repository(relative.path) }

    public func displayName(_ repository: Repository) -> String { self.repository(repository).path }

    public var tagVouchesForBlobs: Bool { true }

    /// A registry answers a mount with 201 whether it linked the blob or the repository had it already.
    public var mountAnswersPresence: Bool { true }

    /// A `HEAD` costs a round trip; a blob of up to 1 MiB goes in two (`POST`, `PUT`) plus its bytes, which on a
    /// 100 Mbit/s link take about as long as a round trip or two to a cloud registry. For a new artifact's blobs
    /// (almost always absent) skipping the question saves a request each: 400 of a 200-model publish's.
    public var uploadsWithoutAskingUpTo: Int64 { 1 << 20 }

    public func prepare(repositories: [Repository]) {
        client.willPush(to: repositories.map(repository))
    }

    public func hasBlob(_ descriptor: Descriptor, in repository: Repository) throws -> Bool {
        try client.blobSize(descriptor.digest, in: self.repository(repository)) != nil
    }

    public func mountBlob(_ descriptor: Descriptor, into repository: Repository, from origin: Repository) throws -> Bool {
        try once(descriptor, in: repository) {
            try client.mountBlob(descriptor.digest, into: self.repository(repository), from: self.repository(origin))
        }
    }

    /// Only within this registry host; a refusal (the account cannot read the source repository) is a "no".
    public func mountBlob(_ descriptor: Descriptor, into repository: Repository, fromSource origin: BlobOrigin) -> Bool {
        guard origin.host == client.host else { return false }
        return (try? once(descriptor, in: repository) {
            (try? client.mountBlob(descriptor.digest, into: self.repository(repository), from: origin.repository)) ?? false
        }) ?? false
    }

    public func putBlob(_ blob: Blob, in repository: Repository, progress: @escaping @Sendable (Int64) -> Void) throws {
        _ = try once(blob.descriptor, in: repository) {
            try upload(blob, in: repository, progress: progress)
            return true
        }
    }

    /// Mounts or uploads a blob unless another edgepack process on this machine has just put it into the same
    /// repository (then the registry is asked instead): see `UploadSessionStore.exclusively`.
    private func once(_ descriptor: Descriptor, in repository: Repository, _ put: () throws -> Bool) throws -> Bool {
        guard let store = client.options.uploadSessions else { return try put() }
        return try store.exclusively(registry: client.host, repository: self.repository(repository).path, digest: descriptor.digest) { recentlyPut in
            if recentlyPut, try client.blobSize(descriptor.digest, in: self.repository(repository)) != nil { return true }
            return try put()
        }
    }

    /// Verified as `BlobTrust` says, through `UploadVerifier`: hashed as curl reads it unless this run already
    /// checked the very bytes. The copier asked `hasBlob` just before: no second `HEAD`.
    private func upload(_ blob: Blob, in repository: Repository, progress: @escaping @Sendable (Int64) -> Void) throws {
        let staged = try StagedBlob(blob, digester: digester)
        defer { staged.remove() }
        let verifier = UploadVerifier(blob.descriptor, trust: staged.trust, progress: progress)
        let content = staged.blob.content
        try client.pushBlob(blob.descriptor, to: self.repository(repository)) { offset, length in
            verifier.wrap(try content.reader(offset: offset, length: length), at: offset)
        }
        try verifier.finish(staged)
    }

    public func manifestDigest(_ reference: String, in repository: Repository) throws -> Digest? {
        try client.manifestDigest(ManifestReference(reference), in: self.repository(repository))
    }

    public func putManifest(_ blob: Blob, in repository: Repository, tag: String?) throws {
        try client.putManifest(blob, as: tag.map(ManifestReference.tag) ?? .digest(blob.descriptor.digest), in: self.repository(repository))
    }
}
