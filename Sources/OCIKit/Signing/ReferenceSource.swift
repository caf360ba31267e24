/// Somewhere manifests can be found by tag (a registry, an offline bundle), for reading signatures and
/// attestations and the artifacts they vouch for. Repositories are named as the source names them: a
/// registry's full path (`acme/edge/models/ccfraud`), a bundle's reference (`models/ccfraud`).
public protocol ReferenceSource: Sendable {
    /// The manifest a tag or digest names in `repository`, checked against its digest; nil when there is none.
    func manifest(_ reference: String, in repository: String) throws -> Blob?
    /// The digest of the manifest a tag names in `repository`, without reading it; nil when there is none.
    func taggedDigest(_ tag: String, in repository: String) throws -> Digest?
    /// A small blob's bytes (a config, a signature payload), checked against its digest.
    func smallBlob(_ descriptor: Descriptor, in repository: String) throws -> [UInt8]
    /// Reads a blob of any size, streamed, and fails unless its bytes match its descriptor's digest and size
    /// (`digestMismatch` or `sizeMismatch`). False when the source does not carry it (a delta bundle's left-out blob).
    func checkBlob(_ descriptor: Descriptor, in repository: String) throws -> Bool
    /// How people name `repository` here.
    func displayName(_ repository: String) -> String
}

extension RegistryClient: ReferenceSource {
    public func manifest(_ reference: String, in repository: String) throws -> Blob? {
        guard try manifestDigest(ManifestReference(reference), in: Repository(unchecked: repository)) != nil else { return nil }
        return try fetchManifestBytes(ManifestReference(reference), in: Repository(unchecked: repository)).blob
    }

    public func taggedDigest(_ tag: String, in repository: String) throws -> Digest? {
        try manifestDigest(.tag(tag), in: Repository(unchecked: repository))
    }

    public func smallBlob(_ descriptor: Descriptor, in repository: String) throws -> [UInt8] {
        guard descriptor.size <= 16 << 20 else { throw OCIError(.unsupported, "\(descriptor.digest) is too large to read into memory") }
        let sink = MemorySink()
        try fetchBlob(descriptor, from: Repository(unchecked: repository), into: sink)
        guard SHA256Hasher.digest(sink.bytes) == descriptor.digest else {
            throw OCIError(.digestMismatch, "\(host)/\(repository): blob \(descriptor.digest) does not match its digest")
        }
        return sink.bytes
    }

    public func checkBlob(_ descriptor: Descriptor, in repository: String) throws -> Bool {
        try fetchBlob(descriptor, from: Repository(unchecked: repository), into: HashingSink())
        return true
    }

    public func displayName(_ repository: String) -> String { "\(host)/\(repository)" }
}

extension ImageLayoutBundle: ReferenceSource {
    public func manifest(_ reference: String, in repository: String) throws -> Blob? {
        let entry = index.manifests.first { entry in
            reference.hasPrefix("sha256:")
                ? entry.digest.string == reference && (entry.annotations?[AnnotationKey.refName]).map { Artifact.split($0).repository == repository } ?? true
                : entry.annotations?[AnnotationKey.refName] == "\(repository):\(reference)"
        }
        guard let entry else { return nil }
        return Blob(descriptor: Descriptor(mediaType: entry.mediaType, digest: entry.digest, size: entry.size), content: .bytes(try bytes(entry)))
    }

    public func smallBlob(_ descriptor: Descriptor, in repository: String) throws -> [UInt8] {
        try bytes(descriptor)
    }

    public func checkBlob(_ descriptor: Descriptor, in repository: String) throws -> Bool {
        guard contains(descriptor.digest) else { return false }
        try blob(descriptor).write(verifiedTo: HashingSink())
        return true
    }

    public func displayName(_ repository: String) -> String { "\(path):\(repository)" }
}

extension ReferenceSource {
    public func taggedDigest(_ tag: String, in repository: String) throws -> Digest? {
        try manifest(tag, in: repository)?.descriptor.digest
    }

    /// The cosign layers of the image at `tag` (its `.sig` or `.att`), or nil when there is none.
    public func cosignLayers(tag: String, in repository: String) throws -> [CosignLayer]? {
        try cosignImageLayers(tag: tag, in: repository)?.map { CosignLayer(descriptor: $0, payload: try smallBlob($0, in: repository)) }
    }

    /// The layer descriptors of the cosign image at `tag`, nil when there is none. Each layer is read into memory
    /// (and kept when publishing again), so a registry listing thousands of large ones is refused.
    func cosignImageLayers(tag: String, in repository: String) throws -> [Descriptor]? {
        guard let blob = try manifest(tag, in: repository), case .bytes(let bytes) = blob.content else { return nil }
        let name = "\(displayName(repository)):\(tag)"
        let layers = try CanonicalJSON.decode(Manifest.self, from: bytes, what: name).layers
        let (most, largest) = (Cosign.maximumLayers, Cosign.maximumLayerSize)
        if layers.count > most { throw OCIError(.unsupported, "\(name) has \(layers.count) layers; more than \(most) signatures or attestations are refused") }
        if let large = layers.first(where: { $0.size > largest || $0.size < 0 }) {
            throw OCIError(.unsupported, "\(name): layer \(large.digest) has \(large.size) bytes; a signature or attestation over \(largest >> 20) MiB is refused")
        }
        return layers
    }
}
