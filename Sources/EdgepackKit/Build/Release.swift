import OCIKit

/// What a definition builds into, wherever it is published: the models and the pipeline artifact, and what
/// rendering needs (name, version, engine, deployment, chart templates). `ArtifactBuilder` builds one from a
/// definition; `Release(bundle:)` reads one back from an offline bundle, with nothing made up.
public struct Release: Sendable {
    public var name: String
    public var version: String
    public var engine: Engine
    public var deployment: Deployment
    public var config: PipelineConfig
    public var models: [BuiltModel]
    public var pipeline: Artifact
    public var templates: ChartTemplates
    /// The definition it was built from (nil for a release read from a bundle: only the builder knows its sources).
    public var definition: PipelineDefinition?
    /// The images copied with it (engine, sidekicks); empty when they are referenced where they live.
    public var images: [PipelineImage] = []
    /// Each model as a mountable image (`model-images/NAME:VERSION`), when asked for; empty otherwise.
    public var modelImages: [Artifact] = []

    /// Models (and their images) first, then the pipeline.
    public var artifacts: [Artifact] { models.map(\.artifact) + modelImages + [pipeline] }
}

/// A release rendered for one registry: its chart, compose file and run commands name that registry.
public struct PipelineBuild: Sendable {
    public var release: Release
    public var layout: RegistryLayout
    public var chart: RenderedChart
    public var compose: RenderedCompose
    public var commands: DeployCommands

    public var name: String { release.name }
    public var version: String { release.version }
    public var config: PipelineConfig { release.config }
    public var models: [BuiltModel] { release.models }
    public var pipeline: Artifact { release.pipeline }

    /// Every artifact in push order: models first, then the pipeline, the chart and the compose file.
    public var artifacts: [Artifact] { release.artifacts + [chart.artifact, compose.artifact] }
}

/// Renders a release for a registry prefix: the chart and compose artifacts and the run commands.
public struct ReleaseRenderer: Sendable {
    public var mtime: Int64
    public var created: String?

    public init(mtime: Int64 = SourceDate.epoch(), created: String? = SourceDate.created()) {
        self.mtime = mtime
        self.created = created
    }

    public func render(_ release: Release, for layout: RegistryLayout) throws -> PipelineBuild {
        PipelineBuild(
            release: release, layout: layout,
            chart: try ChartRenderer(templates: release.templates, mtime: mtime, created: created).render(release, layout: layout),
            compose: try ComposeRenderer().render(release, layout: layout),
            commands: DeployCommands(release: release, layout: layout)
        )
    }
}
