/// One artifact of a layout, as `edgepack inspect` lists it.
public struct ArtifactSummary: Codable, Sendable, Equatable {
    public var reference: String
    public var artifactType: String
    public var digest: Digest
    /// Manifest, config and layers together.
    public var size: Int64
    public var layers: Int
}

extension ImageLayoutSource {
    /// Every artifact the layout names, checking that all the blobs it references are in the bundle.
    public func summaries() throws -> [ArtifactSummary] {
        try artifacts().map { artifact in
            let size = artifact.manifestBlob.descriptor.size + artifact.config.descriptor.size + artifact.layers.reduce(0) { $0 + $1.descriptor.size }
            return ArtifactSummary(reference: artifact.reference, artifactType: artifact.manifest.artifactType ?? artifact.manifest.config.mediaType,
                                   digest: artifact.manifestBlob.descriptor.digest, size: size, layers: artifact.layers.count)
        }
    }

    /// Hashes every blob the artifacts reference and fails on the first that does not match its digest.
    public func verify() throws {
        var seen = Set<Digest>()
        for artifact in try artifacts() {
            // A delta bundle's left-out blobs are not its to verify (`absentBlobs` lists them).
            for blob in artifact.contentBlobs where seen.insert(blob.descriptor.digest).inserted && carries(blob.descriptor.digest) {
                do {
                    try blob.write(verifiedTo: HashingSink())
                } catch let error as OCIError where error.code == .digestMismatch {
                    throw OCIError(.digestMismatch, "\(path): blob \(blob.descriptor.digest) is corrupt")
                }
            }
        }
    }

    /// A manifest of the layout, by digest.
    public func manifest(_ digest: Digest) throws -> Manifest {
        guard let entry = index.manifests.first(where: { $0.digest == digest }) else {
            throw OCIError(.notFound, "\(path) has no manifest \(digest) in its index")
        }
        return try CanonicalJSON.decode(Manifest.self, from: try bytes(entry), what: "manifest \(digest)")
    }
}
