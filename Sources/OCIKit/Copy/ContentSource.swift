/// Where the copier reads content from: a build in memory, an OCI layout directory, a layout archive (an
/// offline bundle), or a registry. Manifests are read as their exact bytes (the copier checks them against
/// their descriptors); blob content is asked for only when the destination lacks the blob.
public protocol ContentSource: Sendable {
    /// The exact bytes of a manifest or index.
    func manifestBytes(_ descriptor: Descriptor, in repository: Repository) throws -> [UInt8]
    /// A blob's bytes, as something that can be streamed (more than once, for retries).
    func blob(_ descriptor: Descriptor, in repository: Repository) throws -> Blob
    /// Where a destination in the same registry could mount this repository's blobs from, instead of copying
    /// their bytes; nil when the source is not a registry.
    func mountOrigin(in repository: Repository) -> BlobOrigin?
    /// Whether the source carries this blob's bytes (a delta bundle does not carry what its site already has:
    /// the copier then requires the destination to hold it before writing anything).
    func holds(_ descriptor: Descriptor, in repository: Repository) -> Bool
    /// The source a part name stands for (`CombinedSource`); any other source is its own part "".
    func part(_ name: String) throws -> any ContentSource
}

extension ContentSource {
    public func part(_ name: String) throws -> any ContentSource {
        guard name.isEmpty else { throw OCIError(.notFound, "no source named '\(name)'") }
        return self
    }
    public func mountOrigin(in repository: Repository) -> BlobOrigin? { nil }
    public func holds(_ descriptor: Descriptor, in repository: Repository) -> Bool { true }
}

/// A repository of a registry that holds a source's blobs.
public struct BlobOrigin: Sendable, Hashable {
    public var host: String
    public var repository: Repository

    public init(host: String, repository: Repository) {
        self.host = host
        self.repository = repository
    }
}

/// Artifacts built in memory (their blobs are small bytes, model files, or directories tarred on the fly).
public struct ArtifactSource: ContentSource {
    private let blobs: [Digest: Blob]
    private let absent: Set<Digest>

    /// `absent`: blobs the artifacts reference but whose bytes are not here (read from a delta bundle).
    public init(_ artifacts: [Artifact], absent: Set<Digest> = []) {
        self.init(blobs: artifacts.flatMap { [$0.manifestBlob, $0.config] + $0.layers }, absent: absent)
    }

    /// Any blobs, manifests and indexes among them (the first of each digest counts).
    public init(blobs: [Blob], absent: Set<Digest> = []) {
        var byDigest: [Digest: Blob] = [:]
        for blob in blobs where byDigest[blob.descriptor.digest] == nil {
            byDigest[blob.descriptor.digest] = blob
        }
        self.blobs = byDigest
        self.absent = absent
    }

    public func holds(_ descriptor: Descriptor, in repository: Repository) -> Bool { !absent.contains(descriptor.digest) }

    public func manifestBytes(_ descriptor: Descriptor, in repository: Repository) throws -> [UInt8] {
        guard case .bytes(let bytes) = try blob(descriptor, in: repository).content else {
            throw OCIError(.unsupported, "manifest \(descriptor.digest) is not held in memory")
        }
        return bytes
    }

    public func blob(_ descriptor: Descriptor, in repository: Repository) throws -> Blob {
        guard let blob = blobs[descriptor.digest] else { throw OCIError(.notFound, "the build has no blob \(descriptor.digest)") }
        return blob
    }
}

extension ImageLayoutBundle: ContentSource {
    public func manifestBytes(_ descriptor: Descriptor, in repository: Repository) throws -> [UInt8] {
        try bytes(descriptor)
    }

    public func blob(_ descriptor: Descriptor, in repository: Repository) throws -> Blob {
        try blob(descriptor)
    }

    public func holds(_ descriptor: Descriptor, in repository: Repository) -> Bool { contains(descriptor.digest) }
}
