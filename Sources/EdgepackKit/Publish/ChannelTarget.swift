import OCIKit

/// A version a channel may be pointed at, checked whole before any tag moves or any record is written: the
/// pipeline manifest under the version's tag is an edgepack pipeline of this name and says it is this version, and
/// the version's compose file is there and says the same. The manifests are kept as fetched, so the move writes
/// exactly what was checked (by digest), whatever the version tags name by then.
struct ChannelTarget {
    let version: String
    let pipeline: Blob
    let compose: Blob

    var pipelineDigest: Digest { pipeline.descriptor.digest }

    static func resolve(_ version: String, of name: String, layout: RegistryLayout, client: RegistryClient) throws -> ChannelTarget {
        try VersionName.check(version, of: name)
        let repositories = PipelineRepositories(layout: layout, pipeline: name)
        let pipeline = try fetch(version, in: repositories.pipelines, client: client) {
            InputError(.notFound, "no version \(version) of \(name) under \(layout.prefix)", remedy: .listVersions(pipeline: name, registry: layout.prefix))
        }
        let what = "\(repositories.pipelines):\(version)"
        guard pipeline.manifest.artifactType == EdgepackMediaType.pipelineArtifact,
              pipeline.manifest.config.mediaType == EdgepackMediaType.pipelineConfig,
              pipeline.manifest.annotations?[AnnotationKey.title] == name
        else {
            throw OCIError(.invalidLayout, "\(what) is not a pipeline edgepack published as \(name) (its artifact type, config or title differ); nothing was moved")
        }
        guard pipeline.manifest.annotations?[AnnotationKey.version] == version else {
            throw OCIError(.invalidLayout, "\(what) says it is version \(MessageText.escaped(pipeline.manifest.annotations?[AnnotationKey.version] ?? "(none)")), not \(version); nothing was moved")
        }
        let compose = try fetch(version, in: repositories.compose, client: client) {
            OCIError(.notFound, "version \(version) of \(name) is incomplete: \(repositories.compose):\(version) is missing (publish or push it again); nothing was moved")
        }
        guard compose.manifest.artifactType == MediaType.Compose.artifactType, compose.manifest.annotations?[AnnotationKey.version] == version else {
            throw OCIError(.invalidLayout, "\(repositories.compose):\(version) is not the compose file of version \(version) of \(name); nothing was moved")
        }
        return ChannelTarget(version: version, pipeline: pipeline.blob, compose: compose.blob)
    }

    /// An OCI image manifest by tag, as its exact bytes; `missing` when there is none.
    private static func fetch(_ tag: String, in repository: Repository, client: RegistryClient,
                              missing: () -> any Error) throws -> (manifest: Manifest, blob: Blob) {
        let fetched: (bytes: [UInt8], blob: Blob)
        do {
            fetched = try client.fetchManifestBytes(.tag(tag), in: repository)
        } catch let error as OCIError where error.code == .notFound {
            throw missing()
        }
        guard fetched.blob.descriptor.mediaType == MediaType.imageManifest,
              let manifest = try? CanonicalJSON.decode(Manifest.self, from: fetched.bytes, what: "\(repository):\(tag)")
        else {
            throw OCIError(.invalidLayout, "\(repository):\(tag) is not an OCI image manifest; nothing was moved")
        }
        return (manifest, fetched.blob)
    }
}
