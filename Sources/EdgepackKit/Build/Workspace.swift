import OCIKit

/// The shared start of every command that reads a definition: load it, hash its models, build its artifacts.
public struct Workspace: Sendable {
    public var digester: FileDigester
    public var cache: DigestCache

    /// With `useCache`, digests are remembered in the user's cache directory (see `DigestCache`). Without it,
    /// every model is hashed afresh, and remembered for this run only (so a copy made later in the same run
    /// is checked by file status rather than hashed twice).
    public init(useCache: Bool) {
        cache = useCache ? EdgepackEnvironment.current.digestCache() : DigestCache(location: nil)
        digester = FileDigester(cache: cache)
    }

    public func load(_ path: String, allowOutside: Bool = false) throws -> PipelineDefinition {
        try DefinitionLoader.load(path: path, allowOutside: allowOutside)
    }

    /// Builds every artifact; `registry` (a flag) wins over the definition's registry, else URLs use a placeholder.
    /// With `images`, the engine and sidekick images are found too, and the release carries them. With
    /// `modelImages` (or the definition's `deployment.models_as_images`), each model is also built as an image.
    public func build(_ definition: PipelineDefinition, registry: String? = nil, templates: ChartTemplates = .builtIn,
                      images: ImageGatherer? = nil, modelImages: Bool = false) throws -> PipelineBuild {
        defer { cache.save() }
        let builder = builder(templates: templates)
        let layout = try RegistryLayout.resolve(flag: registry, definition: definition)
        var release = try builder.build(definition)
        if modelImages || definition.deployment.modelsAsImages {
            release.modelImages = try ModelImageBuilder(digester: digester, tarOptions: builder.tarOptions, created: builder.created)
                .images(for: release.models, arch: definition.deployment.arch)
        }
        release.images = try images?.images(for: definition) ?? []
        return try builder.renderer.render(release, for: layout)
    }

    func builder(templates: ChartTemplates) -> ArtifactBuilder {
        ArtifactBuilder(digester: digester, tarOptions: TarOptions(), created: SourceDate.created(), templates: templates)
    }

    /// Digests of files (as is) and directories (as their deterministic tar layer), in order.
    public func digest(paths: [String]) throws -> [ContentDigest] {
        defer { cache.save() }
        let digester = self.digester
        return try Parallel.map(paths, concurrency: digester.concurrency) { path in
            let status = try FileStatus(path: path)
            let content: BlobContent = status.isDirectory ? .directoryTar(path: path, options: TarOptions()) : .file(path: path)
            return try content.digest(using: digester)
        }
    }
}
