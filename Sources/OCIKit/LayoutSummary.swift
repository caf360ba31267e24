/// One artifact of a layout, as `edgepack inspect` lists it.
public struct ArtifactSummary: Codable, Sendable, Equatable {
    public var reference: String
    public var artifactType: String
    public var digest: Digest
    /// Manifest, config and layers together.
    public var size: Int64
    public var layers: Int
}

extension ImageLayoutArchiveContents {
    public func summaries() throws -> [ArtifactSummary] {
        try index.manifests.map { entry in
            let manifest = try manifest(entry.digest)
            let size = entry.size + manifest.config.size + manifest.layers.reduce(0) { $0 + $1.size }
            for descriptor in [manifest.config] + manifest.layers where blobSizes[descriptor.digest] == nil {
                throw OCIError(.invalidLayout, "the archive lacks blob \(descriptor.digest), referenced by \(entry.annotations?[AnnotationKey.refName] ?? entry.digest.string)")
            }
            return ArtifactSummary(
                reference: entry.annotations?[AnnotationKey.refName] ?? "",
                artifactType: manifest.artifactType ?? manifest.config.mediaType,
                digest: entry.digest, size: size, layers: manifest.layers.count
            )
        }
    }
}
