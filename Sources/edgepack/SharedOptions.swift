import ArgumentParser
import Foundation
import EdgepackKit
import OCIKit

/// The definition file argument most commands take.
struct DefinitionArgument: ParsableArguments {
    @Argument(help: "The pipeline definition.", completion: .file(extensions: ["yaml", "yml"]))
    var file: String = DefinitionLoader.defaultFileName

    @Flag(help: "Allow model paths that are absolute or lead (through '..' or symlinks) outside the definition's folder.")
    var allowOutside = false
}

struct CacheOptions: ParsableArguments {
    @Flag(help: "Hash every model again instead of using the digest cache, and download images again instead of using the blob cache.")
    var noCache = false
}

/// What shapes the chart and compose artifacts.
struct RenderOptions: ParsableArguments {
    @Option(help: "The registry prefix artifacts are published under, e.g. ghcr.io/acme/edge (default: the definition's 'registry').")
    var registry: String?

    @Option(help: "Start from this Helm chart directory instead of the built-in templates.", completion: .directory)
    var templates: String?

    @Flag(help: "Also build each model as an OCI image Kubernetes can mount (model-images/NAME:VERSION), as deployment.models_as_images does.")
    var modelImages = false

    func chartTemplates() throws -> ChartTemplates {
        try templates.map(ChartTemplates.load(directory:)) ?? .builtIn
    }
}

/// Loads the definition and builds every artifact, as build, export and render all do; with a progress display,
/// the hashing of the models is shown as work.
func buildPipeline(_ definition: DefinitionArgument, _ cache: CacheOptions, _ render: RenderOptions, images: ImageOptions,
                   registryOptions: RegistryOptions = ImageOptions.sourceRegistryOptions(), offline: Bool = false,
                   progress: ProgressDisplay? = nil, keepingTarsBeside output: String? = nil) throws -> (Workspace, PipelineBuild) {
    var workspace = Workspace(useCache: !cache.noCache)
    workspace.digester.spill = output.map { TarSpill(beside: $0) }
    let loaded = try workspace.load(definition.file, allowOutside: definition.allowOutside)
    if let progress, !progress.isQuiet {
        // Model images are hashed once more, as their own layers.
        let passes: Int64 = render.modelImages || loaded.deployment.modelsAsImages ? 2 : 1
        progress.start("hashing \(loaded.name)", total: passes * loaded.models.reduce(0) { $0 + ContentBytes.under($1.resolvedPath) })
        workspace.digester.onHashed = { progress.advance($0) }
    }
    defer { progress?.stop() }
    let gatherer = images.gatherer(noCache: cache.noCache, digests: workspace.cache, registryOptions: registryOptions, offline: offline)
    let build = try workspace.build(loaded, registry: render.registry, templates: try render.chartTemplates(), images: gatherer,
                                    modelImages: render.modelImages)
    return (workspace, build)
}



/// `REFERENCE DIGEST` for each artifact, the lines scripts read.
func printArtifacts(_ build: PipelineBuild) {
    for artifact in build.artifacts {
        print("\(artifact.reference) \(artifact.manifestBlob.descriptor.digest)")
    }
}
