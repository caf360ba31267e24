/// A registry, under a repository prefix (`acme/edge`), as a copy destination. Blobs are uploaded through a
/// local hash check (a lying source is refused before the registry completes the blob), mounted across
/// repositories of the same registry, and skipped when present; a manifest's tag is its last write.
/// Bytes already vouched for are not hashed a second time on their way out: a model file the digester's cache
/// knows unchanged (its status is checked again after the upload, as an export does), and a directory's tar
/// staged here (checked as it was written).
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
        Repository(prefixPath).appending(relative)
    }

    public func displayName(_ repository: String) -> String { self.repository(repository).path }

    public var tagVouchesForBlobs: Bool { true }

    /// A registry answers a mount with 201 whether it linked the blob or the repository had it already.
    public var mountAnswersPresence: Bool { true }

    /// A `HEAD` costs a round trip; a blob of up to 1 MiB goes in two (`POST`, `PUT`) plus its bytes, which on a
    /// 100 Mbit/s link take about as long as a round trip or two to a cloud registry. For a new artifact's blobs
    /// (almost always absent) skipping the question saves a request each: 400 of a 200-model publish's.
    public var uploadsWithoutAskingUpTo: Int64 { 1 << 20 }

    public func prepare(repositories: [String]) {
        client.willPush(to: repositories.map(repository))
    }

    public func hasBlob(_ descriptor: Descriptor, in repository: String) throws -> Bool {
        try client.blobSize(descriptor.digest, in: self.repository(repository)) != nil
    }

    public func mountBlob(_ descriptor: Descriptor, into repository: String, from origin: String) throws -> Bool {
        try once(descriptor, in: repository) {
            try client.mountBlob(descriptor.digest, into: self.repository(repository), from: self.repository(origin))
        }
    }

    /// Only within this registry host; a refusal (the account cannot read the source repository) is a "no".
    public func mountBlob(_ descriptor: Descriptor, into repository: String, fromSource origin: BlobOrigin) -> Bool {
        guard origin.host == client.host else { return false }
        return (try? once(descriptor, in: repository) {
            (try? client.mountBlob(descriptor.digest, into: self.repository(repository), from: origin.repository)) ?? false
        }) ?? false
    }

    public func putBlob(_ blob: Blob, in repository: String, progress: @escaping @Sendable (Int64) -> Void) throws {
        _ = try once(blob.descriptor, in: repository) {
            try upload(blob, in: repository, progress: progress)
            return true
        }
    }

    /// Mounts or uploads a blob unless another edgepack process on this machine has just put it into the same
    /// repository (then the registry is asked instead): see `UploadSessionStore.exclusively`.
    private func once(_ descriptor: Descriptor, in repository: String, _ put: () throws -> Bool) throws -> Bool {
        guard let store = client.options.uploadSessions else { return try put() }
        return try store.exclusively(registry: client.host, repository: self.repository(repository).path, digest: descriptor.digest) { recentlyPut in
            if recentlyPut, try client.blobSize(descriptor.digest, in: self.repository(repository)) != nil { return true }
            return try put()
        }
    }

    private func upload(_ blob: Blob, in repository: String, progress: @escaping @Sendable (Int64) -> Void) throws {
        var trusted: (path: String, status: FileStatus)?
        if case .file(let path) = blob.content, let status = digester?.trustedStatus(of: path, digest: blob.descriptor.digest),
           status.size == blob.descriptor.size {
            trusted = (path, status)
        }
        var isDirectory = false
        if case .directoryTar = blob.content { isDirectory = true }
        if case .bytes(let bytes) = blob.content, bytes.count != blob.descriptor.size {
            throw OCIError(.sizeMismatch, "the content of \(blob.descriptor.digest) is \(bytes.count) bytes, not the \(blob.descriptor.size) its descriptor says; refusing to upload it")
        }
        // A download that checks its digest before it ends (the blob cache's) vouches for a growing file, as long
        // as the upload holds the blob's last bytes until the download has ended; a streamed blob's reader holds
        // them itself (and a resumed upload's part, which no download can check, is checked by the registry).
        var verifiedDownload = false
        switch blob.content {
        case .growing(let file, _): verifiedDownload = file.verifiesContent
        case .streamed: verifiedDownload = true
        default: break
        }
        let verifier = UploadVerifier(blob.descriptor, hashing: trusted == nil && !isDirectory && !verifiedDownload, progress: progress)
        let staged = StagedBlob(blob, digester: digester)
        defer { staged.remove() }
        let content = blob.content, heldEnd = verifiedDownload ? blob.descriptor.size : nil
        // The copier asked `hasBlob` just before: no second HEAD.
        _ = try client.pushBlob(blob.descriptor, to: self.repository(repository), checkFirst: false) { offset, length in
            let source: any UploadSource = switch content {
            case .bytes(let bytes): MemoryUploadSource(Array(bytes[Int(offset)..<Int(offset + length)]))
            case .file(let path): try FileUploadSource(path: path, offset: offset, length: length)
            case .fileRange(let path, let start, _): try FileUploadSource(path: path, offset: start + offset, length: length)
            case .partsRange(let files, let start, _): files.source(offset: start + offset, length: length)
            case .directoryTar: try FileUploadSource(path: staged.path(), offset: offset, length: length)
            case .growing(let file, _): GrowingFileUploadSource(file, offset: offset, length: length, holdingTheEnd: heldEnd)
            case .streamed(let download): download.reader(offset: offset, length: length)
            }
            return verifier.wrap(source, at: offset)
        }
        if let trusted {
            guard (try? FileStatus(path: trusted.path)) == trusted.status else {
                throw OCIError(.digestMismatch, "\(trusted.path) changed while edgepack was uploading it; run again")
            }
        } else if !verifier.sawEverything, !isDirectory, !verifiedDownload {
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
