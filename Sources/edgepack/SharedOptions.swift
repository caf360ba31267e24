import ArgumentParser
import EdgepackKit

/// The definition file argument most commands take.
struct DefinitionArgument: ParsableArguments {
    @Argument(help: "The pipeline definition.", completion: .file(extensions: ["yaml", "yml"]))
    var file: String = DefinitionLoader.defaultFileName

    @Flag(help: "Allow model paths that are absolute or lead (through '..' or symlinks) outside the definition's folder.")
    var allowOutside = false
}

struct CacheOptions: ParsableArguments {
    @Flag(help: "Hash every model again instead of using the digest cache.")
    var noCache = false
}

/// What shapes the chart and compose artifacts.
struct RenderOptions: ParsableArguments {
    @Option(help: "The registry prefix artifacts are published under, e.g. ghcr.io/acme/edge (default: the definition's 'registry').")
    var registry: String?

    @Option(help: "Start from this Helm chart directory instead of the built-in templates.", completion: .directory)
    var templates: String?

    func chartTemplates() throws -> ChartTemplates {
        try templates.map(ChartTemplates.load(directory:)) ?? .builtIn
    }
}

/// Loads the definition and builds every artifact, as build, export and render all do.
func buildPipeline(_ definition: DefinitionArgument, _ cache: CacheOptions, _ render: RenderOptions) throws -> (Workspace, PipelineBuild) {
    let workspace = Workspace(useCache: !cache.noCache)
    let loaded = try workspace.load(definition.file, allowOutside: definition.allowOutside)
    return (workspace, try workspace.build(loaded, registry: render.registry, templates: try render.chartTemplates()))
}

/// `REFERENCE DIGEST` for each artifact, the lines scripts read.
func printArtifacts(_ build: PipelineBuild) {
    for artifact in build.artifacts {
        print("\(artifact.reference) \(artifact.manifestBlob.descriptor.digest)")
    }
}
