import OCIKit

/// A destination that answers "already there" for the blobs it is told to skip, so a copy never fetches them
/// (a pull of some of a pipeline's models); everything else goes to `destination` as it is.
struct SkippingDestination: ContentDestination {
    let destination: any ContentDestination
    let skipping: Set<Digest>

    init(_ destination: any ContentDestination, skipping: Set<Digest>) {
        self.destination = destination
        self.skipping = skipping
    }

    func hasBlob(_ descriptor: Descriptor, in repository: Repository) throws -> Bool {
        try skipping.contains(descriptor.digest) || destination.hasBlob(descriptor, in: repository)
    }

    func mountBlob(_ descriptor: Descriptor, into repository: Repository, from origin: Repository) throws -> Bool {
        try destination.mountBlob(descriptor, into: repository, from: origin)
    }

    func mountBlob(_ descriptor: Descriptor, into repository: Repository, fromSource origin: BlobOrigin) -> Bool {
        destination.mountBlob(descriptor, into: repository, fromSource: origin)
    }

    func putBlob(_ blob: Blob, in repository: Repository, progress: @escaping @Sendable (Int64) -> Void) throws {
        try destination.putBlob(blob, in: repository, progress: progress)
    }

    func manifestDigest(_ reference: String, in repository: Repository) throws -> Digest? {
        try destination.manifestDigest(reference, in: repository)
    }

    func putManifest(_ blob: Blob, in repository: Repository, tag: String?) throws {
        try destination.putManifest(blob, in: repository, tag: tag)
    }

    func prepare(repositories: [Repository]) { destination.prepare(repositories: repositories) }
    var tagVouchesForBlobs: Bool { destination.tagVouchesForBlobs }
    var mountAnswersPresence: Bool { destination.mountAnswersPresence }
    /// Always asked, so a skipped blob is never sent unasked.
    var uploadsWithoutAskingUpTo: Int64 { 0 }
    func commit() throws { try destination.commit() }
    func abort() { destination.abort() }
    func displayName(_ repository: Repository) -> String { destination.displayName(repository) }
}
