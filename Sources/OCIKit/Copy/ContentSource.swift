/// Where the copier reads content from: a build in memory, an OCI layout directory, a layout archive (an
/// offline bundle), or a registry. Manifests are read as their exact bytes (the copier checks them against
/// their descriptors); blob content is asked for only when the destination lacks the blob.
public protocol ContentSource: Sendable {
    /// The exact bytes of a manifest or index.
    func manifestBytes(_ descriptor: Descriptor, in repository: String) throws -> [UInt8]
    /// A blob's bytes, as something that can be streamed (more than once, for retries).
    func blob(_ descriptor: Descriptor, in repository: String) throws -> Blob
}

/// Artifacts built in memory (their blobs are small bytes, model files, or directories tarred on the fly).
public struct ArtifactSource: ContentSource {
    private let blobs: [Digest: Blob]

    public init(_ artifacts: [Artifact]) {
        var blobs: [Digest: Blob] = [:]
        for artifact in artifacts {
            for blob in [artifact.manifestBlob, artifact.config] + artifact.layers where blobs[blob.descriptor.digest] == nil {
                blobs[blob.descriptor.digest] = blob
            }
        }
        self.blobs = blobs
    }

    public func manifestBytes(_ descriptor: Descriptor, in repository: String) throws -> [UInt8] {
        guard case .bytes(let bytes) = try blob(descriptor, in: repository).content else {
            throw OCIError(.unsupported, "manifest \(descriptor.digest) is not held in memory")
        }
        return bytes
    }

    public func blob(_ descriptor: Descriptor, in repository: String) throws -> Blob {
        guard let blob = blobs[descriptor.digest] else { throw OCIError(.notFound, "the build has no blob \(descriptor.digest)") }
        return blob
    }
}

extension ImageLayoutBundle: ContentSource {
    public func manifestBytes(_ descriptor: Descriptor, in repository: String) throws -> [UInt8] {
        try bytes(descriptor)
    }

    public func blob(_ descriptor: Descriptor, in repository: String) throws -> Blob {
        try blob(descriptor)
    }
}
