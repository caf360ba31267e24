import Foundation
import OCIKit

/// A model once hashed: its version, its layer, and its own ModelPack artifact.
public struct BuiltModel: Sendable {
    public var spec: ModelSpec
    public var version: String
    public var layer: Blob
    public var artifact: Artifact

    public var sha: String { layer.descriptor.digest.encoded }
}

/// Everything `build`, `export` and `publish` produce from one definition.
public struct PipelineBuild: Sendable {
    public var definition: PipelineDefinition
    public var version: String
    public var config: PipelineConfig
    public var models: [BuiltModel]
    public var pipeline: Artifact
    public var layout: RegistryLayout
    public var chart: RenderedChart
    public var compose: RenderedCompose
    public var commands: DeployCommands

    /// Every artifact in push order: models first, then the pipeline, the chart and the compose file.
    public var artifacts: [Artifact] { models.map(\.artifact) + [pipeline, chart.artifact, compose.artifact] }
}

/// Turns a definition and its model files into OCI artifacts. Models are hashed in parallel (files through
/// the digest cache, directories as the deterministic tar that will be their layer).
public struct ArtifactBuilder: Sendable {
    public var digester: FileDigester
    public var tarOptions: TarOptions
    /// RFC 3339 creation time for annotations, only when `SOURCE_DATE_EPOCH` pins it.
    public var created: String?
    public var templates: ChartTemplates

    public init(digester: FileDigester, tarOptions: TarOptions = TarOptions(), created: String? = nil, templates: ChartTemplates = .builtIn) {
        self.digester = digester
        self.tarOptions = tarOptions
        self.created = created
        self.templates = templates
    }

    public func build(_ definition: PipelineDefinition, layout: RegistryLayout) throws -> PipelineBuild {
        let options = tarOptions
        let digester = self.digester
        let hashed = try Parallel.map(definition.models, concurrency: digester.concurrency) { model -> (BlobContent, ContentDigest) in
            let content: BlobContent = model.isDirectory
                ? .directoryTar(path: model.resolvedPath, options: options)
                : .file(path: model.resolvedPath)
            return (content, try content.digest(using: digester))
        }
        let models = try zip(definition.models, hashed).map { model, hashed in
            try buildModel(model, content: hashed.0, digest: hashed.1)
        }
        var config = pipelineConfig(definition, models: models, version: "")
        let version = try definition.version ?? derivedVersion(config, definition: definition)
        config.version = version
        let pipeline = try pipelineArtifact(definition, config: config, models: models)
        let chart = try chartRenderer.render(definition, version: version, layout: layout, pipelineDigest: pipeline.manifestBlob.descriptor.digest)
        let compose = try ComposeRenderer().render(definition, version: version, layout: layout)
        return PipelineBuild(
            definition: definition, version: version, config: config, models: models, pipeline: pipeline, layout: layout,
            chart: chart, compose: compose, commands: DeployCommands(definition: definition, version: version, layout: layout)
        )
    }

    var chartRenderer: ChartRenderer {
        ChartRenderer(templates: templates, mtime: tarOptions.mtime, created: created)
    }

    private func buildModel(_ model: ModelSpec, content: BlobContent, digest: ContentDigest) throws -> BuiltModel {
        let version = model.version ?? NameBasedUUID.make("model:\(model.name):\(digest.digest)")
        let filename = (model.resolvedPath as NSString).lastPathComponent
        let metadata = ModelPackAnnotation.FileMetadata.of(name: filename, isDirectory: model.isDirectory, size: digest.size, mtime: tarOptions.mtime)
        let layer = Blob(
            descriptor: Descriptor(
                mediaType: model.isDirectory ? MediaType.ModelPack.weightTar : MediaType.ModelPack.weightRaw,
                digest: digest.digest,
                size: digest.size,
                annotations: [
                    AnnotationKey.title: filename,
                    LayerAnnotation.name: model.name,
                    LayerAnnotation.filename: filename,
                    LayerAnnotation.fileType: "model",
                    LayerAnnotation.runtime: model.runtime.rawValue,
                    LayerAnnotation.version: version,
                    ModelPackAnnotation.filepath: filename,
                    ModelPackAnnotation.fileMetadata: String(decoding: try CanonicalJSON.encode(metadata), as: UTF8.self),
                ]
            ),
            content: content
        )
        let modelConfig = ModelPackConfig(
            descriptor: .init(name: model.name, version: version, createdAt: created),
            config: .init(format: model.framework.rawValue),
            modelfs: .init(diffIds: [digest.digest.string])
        )
        let configBlob = Blob(mediaType: MediaType.ModelPack.config, bytes: try CanonicalJSON.encode(modelConfig))
        let manifest = Manifest(
            artifactType: MediaType.ModelPack.artifactType,
            config: configBlob.descriptor,
            layers: [layer.descriptor],
            annotations: manifestAnnotations(title: model.name, version: version)
        )
        let artifact = try Artifact(reference: "models/\(model.name):\(version)", manifest: manifest, config: configBlob, layers: [layer])
        return BuiltModel(spec: model, version: version, layer: layer, artifact: artifact)
    }

    func pipelineConfig(_ definition: PipelineDefinition, models: [BuiltModel], version: String) -> PipelineConfig {
        let byName = Dictionary(uniqueKeysWithValues: models.map { ($0.spec.name, $0) })
        func reference(_ name: String) -> PipelineConfig.ModelReference {
            let model = byName[name]!
            return .init(name: name, version: model.version, sha: model.sha)
        }
        let steps = definition.steps.flatMap { step -> [PipelineStep] in
            switch step {
            case .models(let names):
                [.modelInference(names.map(reference))]
            case .shadow(let champion, let challengers):
                // What the SDK's add_shadow_deploy writes: every model, audit all but the champion, one output each.
                [.modelInference(([champion] + challengers).map(reference)), .auditResults(from: 1, to: nil), .multiOut]
            case .split(let key, let weights):
                [.randomSplit(hashKey: key, weights: weights.map { .init(model: reference($0.model), weight: $0.weight) })]
            case .keySplit(let key, let defaultModel, let routes):
                [.metaValueSplit(splitKey: key, control: reference(defaultModel),
                                 routes: Dictionary(routes.map { ($0.value, reference($0.model)) }) { first, _ in first })]
            case .select(let index):
                [.nth(index: index)]
            case .audit(let from, let to):
                [.auditResults(from: from, to: to)]
            case .multiOut:
                [.multiOut]
            }
        }
        let entries = models.map { model in
            PipelineConfig.ModelEntry(
                name: model.spec.name, version: model.version, sha: model.sha,
                framework: model.spec.framework.rawValue, runtime: model.spec.runtime.rawValue,
                filename: model.layer.descriptor.annotations?[LayerAnnotation.filename] ?? "",
                inputSchema: Self.schema(model.spec.inputSchema), outputSchema: Self.schema(model.spec.outputSchema)
            )
        }
        return PipelineConfig(id: definition.name, version: version, steps: steps, models: entries, engineConfig: EngineConfig(definition.deployment, engineImage: definition.engine.image))
    }

    /// Same models and same definition give the same version, so re-publishing is a no-op.
    private func derivedVersion(_ config: PipelineConfig, definition: PipelineDefinition) throws -> String {
        let json = String(decoding: try CanonicalJSON.encode(config), as: UTF8.self)
        return NameBasedUUID.make("pipeline:\(definition.engine.image):\(json)")
    }

    private func pipelineArtifact(_ definition: PipelineDefinition, config: PipelineConfig, models: [BuiltModel]) throws -> Artifact {
        let configBlob = Blob(mediaType: EdgepackMediaType.pipelineConfig, bytes: try CanonicalJSON.encode(config))
        let layers = models.map(\.layer)
        let manifest = Manifest(
            artifactType: EdgepackMediaType.pipelineArtifact,
            config: configBlob.descriptor,
            layers: layers.map(\.descriptor),
            annotations: manifestAnnotations(title: definition.name, version: config.version)
                .merging([EdgepackAnnotation.engineImage: definition.engine.image]) { $1 }
        )
        return try Artifact(reference: "pipelines/\(definition.name):\(config.version)", manifest: manifest, config: configBlob, layers: layers)
    }

    private func manifestAnnotations(title: String, version: String) -> [String: String] {
        var annotations = [AnnotationKey.title: title, AnnotationKey.version: version]
        if let created { annotations[AnnotationKey.created] = created }
        return annotations
    }

    static func schema(_ fields: [SchemaField]) -> [String: String]? {
        fields.isEmpty ? nil : Dictionary(uniqueKeysWithValues: fields.map { ($0.name, $0.type) })
    }
}
