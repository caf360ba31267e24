/// Somewhere artifacts can be pushed: a registry (`ArtifactPusher`) or an OCI image layout
/// (`ImageLayoutWriter`), so the same publish flow runs against either.
public protocol ArtifactDestination: Sendable {
    /// Stores every artifact (blobs before the manifests that need them); returns manifest digests by reference.
    func push(_ artifacts: [Artifact]) throws -> [String: Digest]
}

extension ArtifactPusher: ArtifactDestination {}

extension ImageLayoutWriter: ArtifactDestination {
    public func push(_ artifacts: [Artifact]) throws -> [String: Digest] {
        try write(artifacts)
        return Dictionary(uniqueKeysWithValues: artifacts.map { ($0.reference, $0.manifestBlob.descriptor.digest) })
    }
}
