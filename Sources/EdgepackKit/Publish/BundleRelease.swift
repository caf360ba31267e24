import Foundation
import OCIKit

extension Release {
    /// The release an offline bundle carries: its pipeline and models as they are, and what rendering needs,
    /// read from what the bundle holds (the pipeline config with its engine config and model entries, the engine
    /// image the pipeline manifest names, the chart's own templates). A bundle has no definition.
    public init(bundle: ImageLayoutBundle) throws {
        let artifacts = try bundle.artifacts()
        let pipelines = artifacts.filter { $0.manifest.artifactType == EdgepackMediaType.pipelineArtifact }
        guard pipelines.count == 1, let pipeline = pipelines.first else {
            throw OCIError(.invalidLayout, "\(bundle.path) holds \(pipelines.count) pipelines; an edgepack bundle holds exactly one")
        }
        let config = try CanonicalJSON.decode(PipelineConfig.self, from: try bundle.bytes(pipeline.manifest.config), what: "the pipeline config")
        guard let image = pipeline.manifest.annotations?[EdgepackAnnotation.engineImage] else {
            throw OCIError(.invalidLayout, "\(bundle.path): the pipeline manifest does not name its engine image; re-export it with this edgepack")
        }
        let chart = artifacts.first { $0.manifest.config.mediaType == MediaType.Helm.config }
        let models = try artifacts.filter { $0.manifest.artifactType == MediaType.ModelPack.artifactType }.map { artifact in
            guard let layer = artifact.layers.first, let name = layer.descriptor.annotations?[LayerAnnotation.name],
                  let entry = config.models.first(where: { $0.name == name })
            else { throw OCIError(.invalidLayout, "\(bundle.path): model artifact \(artifact.reference) does not match the pipeline config") }
            return BuiltModel(spec: ModelSpec(carriedAs: entry, layer: layer.descriptor), version: entry.version, layer: layer, artifact: artifact)
        }.sorted { first, second in
            // The pipeline's own model order, as `publish` reports it.
            (config.models.firstIndex { $0.name == first.spec.name } ?? 0) < (config.models.firstIndex { $0.name == second.spec.name } ?? 0)
        }
        let deployment = Deployment(config.engineConfig)
        self.init(name: config.id, version: config.version, engine: Engine(image: image), deployment: deployment,
                  config: config, models: models, pipeline: pipeline,
                  templates: try chart.map { try Self.templates(fromChart: $0, in: bundle) } ?? .builtIn, definition: nil,
                  images: try PipelineImage.carried(in: bundle, engineName: image, sidekicks: deployment.sidekicks),
                  modelImages: artifacts.filter { $0.repository.hasPrefix(ModelImageBuilder.repository + "/") })
    }

    /// The chart's own files (its templates), from the chart package inside the bundle.
    static func templates(fromChart artifact: Artifact, in bundle: ImageLayoutBundle) throws -> ChartTemplates {
        guard let layer = artifact.manifest.layers.first else { return .builtIn }
        let scratch = TemporaryFiles.scratchPath("chart")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        try FileManager.default.createDirectory(atPath: scratch + "/files", withIntermediateDirectories: true)
        try Data(try bundle.bytes(layer)).write(to: URL(fileURLWithPath: scratch + "/chart.tgz"))
        // A chart's templates are a few KiB; a bundle's .tgz that unpacks to more than this is no chart of ours.
        try TarExtractor.extract(scratch + "/chart.tgz", into: scratch + "/files", label: "the bundle's chart",
                                 limit: UnpackLimit(bytes: 16 << 20, reason: "more than any chart's templates need"))
        guard let top = try FileManager.default.contentsOfDirectory(atPath: scratch + "/files").first else { return .builtIn }
        return try ChartTemplates.load(directory: scratch + "/files/" + top)
    }
}

extension ModelSpec {
    /// A model as a pipeline config carries it: its file name stands for its path (there is no local file).
    init(carriedAs entry: PipelineConfig.ModelEntry, layer: Descriptor) {
        func fields(_ schema: [String: String]?) -> [SchemaField] {
            (schema ?? [:]).sorted { $0.key < $1.key }.map { SchemaField(name: $0.key, type: $0.value) }
        }
        self.init(name: entry.name, path: entry.filename, resolvedPath: entry.filename,
                  isDirectory: layer.mediaType == MediaType.ModelPack.weightTar,
                  framework: Framework(rawValue: entry.framework) ?? .custom, runtime: Runtime(rawValue: entry.runtime) ?? .flight,
                  version: entry.version, inputSchema: fields(entry.inputSchema), outputSchema: fields(entry.outputSchema))
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

extension PipelineBuild {
    /// A bundle's release rendered for `layout`, as `push` sends it: models and the pipeline as they are; the chart
    /// and compose file name registry URLs, so they are rendered again for the new registry from what the bundle
    /// carries (pipeline config, engine image, the chart's own templates), exactly as `publish` would render them.
    public init(bundle: ImageLayoutBundle, for layout: RegistryLayout) throws {
        self = try ReleaseRenderer().render(try Release(bundle: bundle), for: layout)
    }
}
