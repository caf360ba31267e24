import ArgumentParser
import EdgepackKit
import OCIKit

struct Build: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "build", abstract: "Build the pipeline's OCI artifacts into an OCI image layout directory.")

    @OptionGroup var definition: DefinitionArgument

    @Option(name: .shortAndLong, help: "The OCI image layout directory to write (created, or updated in place).")
    var output: String

    @OptionGroup var render: RenderOptions
    @OptionGroup var cache: CacheOptions
    @OptionGroup var images: ImageOptions
    @OptionGroup var offline: OfflineOption
    @OptionGroup var report: ArtifactOutputOptions

    func validate() throws { try offline.check(cache) }

    func run() throws {
        let output = PathArgument.absolute(self.output)
        let (workspace, build) = try buildPipeline(definition, cache, render, images: images, offline: offline.offline)
        if offline.offline && report.showsProgress { noteCachedTags(build) }
        if report.showsProgress { noteUpstreamNotLookedFor(build) }
        let destination = try LayoutDirectoryDestination(directory: output, digester: workspace.digester)
        let summary = try ReleaseCopy(build).copy(to: destination)
        let written = summary.blobsCopied + summary.manifestsWritten
        try report.report(build, output: output, blobsWritten: written, wrote: "wrote \(self.output) (\(written) new blob\(written == 1 ? "" : "s"))")
    }
}
