import ArgumentParser
import EdgepackKit
import OCIKit

struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export every artifact of the pipeline as one offline bundle (an OCI image layout tar)."
    )

    @OptionGroup var definition: DefinitionArgument

    @Option(name: .shortAndLong, help: "The bundle to write, e.g. bundle.tar.")
    var output: String

    @OptionGroup var render: RenderOptions
    @OptionGroup var cache: CacheOptions
    @OptionGroup var images: ImageOptions
    @OptionGroup var offline: OfflineOption
    @OptionGroup var signing: SigningOptions
    @OptionGroup var delta: DeltaOptions
    @OptionGroup var report: ArtifactOutputOptions

    func validate() throws { try offline.check(cache) }

    func run() async throws {
        let output = PathArgument.absolute(self.output)
        let progress = ProgressDisplay(quiet: !report.showsProgress, plainLines: false)
        // A directory model hashed now is kept as its tar beside the bundle, which is then written from it.
        let (workspace, build) = try buildPipeline(definition, cache, render, images: images, offline: offline.offline, progress: progress,
                                                   keepingTarsBeside: output)
        if offline.offline && report.showsProgress { noteCachedTags(build) }
        let artifacts = try signing.artifactsToCopy(build, alsoSigning: build.imageManifests)
        let copy = ReleaseCopy(build, artifacts: artifacts)
        try DiskSpace.ensure(bundleSize(copy), for: output, what: "the bundle")
        let destination = LayoutArchiveDestination(path: output, mtime: SourceDate.epoch(), digester: workspace.digester,
                                                   omitting: try delta.omitted(from: artifacts, alsoCarrying: try build.imageConfigs()))
        progress.start("exporting \(build.name)", total: copy.bytes)
        defer { progress.stop() }
        try copy.copy(to: destination, onEvent: progress.onEvent)
        progress.stop()
        try report.report(build, output: output, bundle: self.output, wrote: "wrote \(self.output)")
    }
}

/// About how large the bundle is: each blob once with a tar header and padding, and room for the index.
func bundleSize(_ copy: ReleaseCopy) -> Int64 {
    copy.bytes + Int64(copy.items.count) * 4096 + (64 << 10) + Int64(copy.items.count + 16) * 1536
}
