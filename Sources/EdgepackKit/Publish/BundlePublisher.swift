import Foundation
import OCIKit

/// Pushes an offline bundle into a (site's own) registry. Models and the pipeline go as they are, read straight
/// out of the bundle; the chart and compose file name registry URLs, so they are rendered again for the new
/// registry from what the bundle carries (pipeline config, engine image, the chart's own templates), exactly as
/// `publish` would render them for that registry.
public struct BundlePublisher: Sendable {
    public let client: RegistryClient
    private let onEvent: (@Sendable (CopyEvent) -> Void)?

    public init(client: RegistryClient, onEvent: (@Sendable (CopyEvent) -> Void)? = nil) {
        self.client = client
        self.onEvent = onEvent
    }

    /// `extra` adds what goes beside the release (signatures, attestations) for the rebuilt artifacts.
    public func push(_ bundle: ImageLayoutBundle, to layout: RegistryLayout,
                     extra: (PipelineBuild) throws -> [Artifact] = { _ in [] }) throws -> (record: PublishRecord, summary: CopySummary) {
        let build = try rebuild(bundle, for: layout)
        return try Publisher(client: client, layout: layout, onEvent: onEvent).publish(build, artifacts: build.artifacts + extra(build))
    }

    /// The bundle's artifacts as a `PipelineBuild` for `layout`.
    public func rebuild(_ bundle: ImageLayoutBundle, for layout: RegistryLayout) throws -> PipelineBuild {
        let artifacts = try bundle.artifacts()
        let pipelines = artifacts.filter { $0.manifest.artifactType == EdgepackMediaType.pipelineArtifact }
        guard pipelines.count == 1, let pipeline = pipelines.first else {
            throw OCIError(.invalidLayout, "\(bundle.path) holds \(pipelines.count) pipelines; an edgepack bundle holds exactly one")
        }
        let config = try CanonicalJSON.decode(PipelineConfig.self, from: try bundle.bytes(pipeline.manifest.config), what: "the pipeline config")
        guard let image = pipeline.manifest.annotations?[EdgepackAnnotation.engineImage] else {
            throw OCIError(.invalidLayout, "\(bundle.path): the pipeline manifest does not name its engine image; re-export it with this edgepack")
        }
        let definition = PipelineDefinition(
            name: config.id, version: config.version, registry: layout.prefix, engine: Engine(image: image),
            deployment: Deployment(config.engineConfig), models: [], steps: [], sourcePath: bundle.path
        )
        let chartArtifact = artifacts.first { $0.manifest.config.mediaType == MediaType.Helm.config }
        let templates = try chartArtifact.map { try Self.templates(fromChart: $0, in: bundle) } ?? .builtIn
        let renderer = ChartRenderer(templates: templates, mtime: SourceDate.epoch(), created: SourceDate.created())
        let chart = try renderer.render(definition, version: config.version, layout: layout, pipelineDigest: pipeline.manifestBlob.descriptor.digest)
        let compose = try ComposeRenderer().render(definition, version: config.version, layout: layout)
        let models = try artifacts.filter { $0.manifest.artifactType == MediaType.ModelPack.artifactType }.map { artifact in
            guard let layer = artifact.layers.first, let name = layer.descriptor.annotations?[LayerAnnotation.name],
                  let entry = config.models.first(where: { $0.name == name })
            else { throw OCIError(.invalidLayout, "\(bundle.path): model artifact \(artifact.reference) does not match the pipeline config") }
            let spec = ModelSpec(name: name, path: entry.filename, resolvedPath: entry.filename,
                                 isDirectory: layer.descriptor.mediaType == MediaType.ModelPack.weightTar,
                                 framework: Framework(rawValue: entry.framework) ?? .custom, runtime: Runtime(rawValue: entry.runtime) ?? .flight,
                                 version: entry.version, inputSchema: [], outputSchema: [])
            return BuiltModel(spec: spec, version: entry.version, layer: layer, artifact: artifact)
        }.sorted { first, second in
            // The pipeline's own model order, as `publish` reports it.
            (config.models.firstIndex { $0.name == first.spec.name } ?? 0) < (config.models.firstIndex { $0.name == second.spec.name } ?? 0)
        }
        return PipelineBuild(definition: definition, version: config.version, config: config, models: models, pipeline: pipeline,
                             layout: layout, chart: chart, compose: compose,
                             commands: DeployCommands(definition: definition, version: config.version, layout: layout))
    }

    /// The chart's own files (its templates), from the chart package inside the bundle.
    static func templates(fromChart artifact: Artifact, in bundle: ImageLayoutBundle) throws -> ChartTemplates {
        guard let layer = artifact.manifest.layers.first else { return .builtIn }
        let scratch = NSTemporaryDirectory() + "edgepack-chart-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        try FileManager.default.createDirectory(atPath: scratch + "/files", withIntermediateDirectories: true)
        try Data(try bundle.bytes(layer)).write(to: URL(fileURLWithPath: scratch + "/chart.tgz"))
        try TarExtractor.extract(scratch + "/chart.tgz", into: scratch + "/files")
        guard let top = try FileManager.default.contentsOfDirectory(atPath: scratch + "/files").first else { return .builtIn }
        return try ChartTemplates.load(directory: scratch + "/files/" + top)
    }
}

extension Deployment {
    /// The deployment an engine config describes (what a bundle carries of the definition).
    init(_ config: EngineConfig) {
        let engine = config.engine.resources
        self.init(
            replicas: config.engine.replicas,
            resources: engine.resources,
            arch: Architecture(rawValue: engine.arch) ?? .x86,
            accel: engine.accelerator,
            qaic: engine.accel.qaicConfig,
            sidekicks: config.sidekicks.map {
                Sidekick(model: $0.model, resources: $0.resources.resources, arch: Architecture(rawValue: $0.resources.arch) ?? .x86,
                         accel: $0.resources.accelerator, qaic: $0.resources.accel.qaicConfig, image: $0.resources.image)
            }
        )
    }
}
