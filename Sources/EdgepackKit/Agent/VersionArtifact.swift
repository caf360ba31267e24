import OCIKit

/// A file a version published beside its pipeline (its compose file, its chart), fetched by the version's tag:
/// its cosign signature checked with the agent's key, the manifest checked to be of that version, the file
/// bounded in size and verified against its digest.
struct VersionArtifact {
    var client: RegistryClient
    var verification: (key: VerificationKey, name: String)?

    /// The one layer of `mediaType` in `repository:tag`, whose manifest's version annotation is `tag`;
    /// `identity` is the repository a signature must name (`compose/NAME`, `charts/NAME`).
    func fetch(_ repository: Repository, tag: String, identity: String, mediaType: String, maxSize: Int64, what: String) throws -> [UInt8] {
        let (manifest, blob) = try client.fetchManifest(.tag(tag), in: repository)
        if let (key, name) = verification {
            _ = try CosignVerifier(source: client, key: key, keyName: name).verify(blob.descriptor.digest, in: repository.path, identity: identity)
        }
        guard manifest.annotations?[AnnotationKey.version] == tag,
              let layer = manifest.layers.first(where: { $0.mediaType == mediaType }), layer.size <= maxSize else {
            throw OCIError(.invalidLayout, "\(repository):\(tag) holds no \(what) of version \(tag) (at most \(maxSize >> 20) MiB)")
        }
        let sink = MemorySink()
        try client.fetchBlob(layer, from: repository, into: sink)
        return sink.bytes
    }
}
