import ArgumentParser
import EdgepackKit
import OCIKit

struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export every artifact of the pipeline as one offline bundle (an OCI image layout tar)."
    )

    @OptionGroup var definition: DefinitionArgument

    @Option(name: .shortAndLong, help: "The bundle to write, e.g. bundle.tar.")
    var output: String

    @OptionGroup var render: RenderOptions
    @OptionGroup var cache: CacheOptions
    @OptionGroup var signing: SigningOptions

    func run() async throws {
        let progress = ProgressDisplay(quiet: false, plainLines: false)
        let (workspace, build) = try buildPipeline(definition, cache, render, progress: progress)
        let destination = LayoutArchiveDestination(path: output, mtime: SourceDate.epoch(), digester: workspace.digester)
        progress.start("exporting \(build.definition.name)", total: totalBytes(build.artifacts))
        defer { progress.stop() }
        try Copier.copy(try signing.artifactsToCopy(build), to: destination, onEvent: progress.onEvent)
        progress.stop()
        printArtifacts(build)
        notePlaceholderRegistry(build, bundle: output)
        print("wrote \(output)")
    }
}
