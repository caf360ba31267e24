/// Where the copier writes content: a registry (under a repository prefix), an OCI layout directory, or a
/// layout archive. Repositories are named relative to the destination (`models/ccfraud`); a layout records
/// `repository:tag` as the index entry's `org.opencontainers.image.ref.name`.
public protocol ContentDestination: Sendable {
    /// Whether `repository` already holds this blob (nothing needs to move).
    func hasBlob(_ descriptor: Descriptor, in repository: Repository) throws -> Bool
    /// Makes the blob available in `repository` from another repository of the same store, without moving
    /// its bytes; false when that is not possible.
    func mountBlob(_ descriptor: Descriptor, into repository: Repository, from origin: Repository) throws -> Bool
    /// Makes the blob available in `repository` from where a source holds it (a repository of the same
    /// registry host), without moving its bytes; false when that is not possible or not allowed.
    func mountBlob(_ descriptor: Descriptor, into repository: Repository, fromSource origin: BlobOrigin) -> Bool
    /// Stores a blob, verifying its bytes against the descriptor as they stream; `progress` gets the number of
    /// bytes each step moved.
    func putBlob(_ blob: Blob, in repository: Repository, progress: @escaping @Sendable (Int64) -> Void) throws
    /// The digest a tag (or a digest) resolves to in `repository`, or nil.
    func manifestDigest(_ reference: String, in repository: Repository) throws -> Digest?
    /// Stores a manifest's exact bytes; with a tag, points the tag at it.
    func putManifest(_ blob: Blob, in repository: Repository, tag: String?) throws
    /// Told once, before anything moves, every repository the copy writes to (a registry asks for one token
    /// covering them all).
    func prepare(repositories: [Repository])
    /// Whether a tag that names a manifest vouches for the blobs it references (a registry keeps them; a
    /// layout's files can be damaged, so a layout checks every blob).
    var tagVouchesForBlobs: Bool { get }
    /// Whether a successful mount also stands for "already there" (a registry's), so a blob expected in another
    /// repository is mounted without asking `hasBlob` first: one request instead of two.
    var mountAnswersPresence: Bool { get }
    /// Blobs up to this size are uploaded without asking `hasBlob` first when their artifact is new here (its
    /// tag names something else): asking is a round trip that almost always answers "no", and sending a small
    /// blob the destination already has is harmless (a registry's). 0: always ask.
    var uploadsWithoutAskingUpTo: Int64 { get }
    /// Makes everything written visible at once (a layout's index.json, an archive renamed into place).
    func commit() throws
    /// Removes what an unfinished copy left (staging directories, temporary files).
    func abort()
    /// How a repository is named to people (a registry adds its host and prefix).
    func displayName(_ repository: Repository) -> String
}

extension ContentDestination {
    public func mountBlob(_ descriptor: Descriptor, into repository: Repository, from origin: Repository) throws -> Bool { false }
    public func mountBlob(_ descriptor: Descriptor, into repository: Repository, fromSource origin: BlobOrigin) -> Bool { false }
    public func prepare(repositories: [Repository]) {}
    public var tagVouchesForBlobs: Bool { false }
    public var mountAnswersPresence: Bool { false }
    public var uploadsWithoutAskingUpTo: Int64 { 0 }
    public func commit() throws {}
    public func abort() {}
    public func displayName(_ repository: Repository) -> String { repository.path }
}
