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
    @OptionGroup var delta: DeltaOptions

    func run() async throws {
        let progress = ProgressDisplay(quiet: false, plainLines: false)
        let (workspace, build) = try buildPipeline(definition, cache, render, progress: progress)
        let artifacts = try signing.artifactsToCopy(build)
        try DiskSpace.ensure(bundleSize(artifacts), for: output, what: "the bundle")
        let destination = LayoutArchiveDestination(path: output, mtime: SourceDate.epoch(), digester: workspace.digester,
                                                   omitting: try delta.omitted(from: artifacts))
        progress.start("exporting \(build.name)", total: totalBytes(artifacts))
        defer { progress.stop() }
        try Copier.copy(artifacts, to: destination, onEvent: progress.onEvent)
        progress.stop()
        printArtifacts(build)
        notePlaceholderRegistry(build, bundle: output)
        print("wrote \(output)")
    }
}

/// About how large the bundle of `artifacts` is: each blob once, a tar header for each, and the index.
func bundleSize(_ artifacts: [Artifact]) -> Int64 {
    var sizes: [OCIKit.Digest: Int64] = [:]
    for artifact in artifacts {
        for blob in [artifact.manifestBlob] + artifact.contentBlobs { sizes[blob.descriptor.digest] = blob.descriptor.size }
    }
    return sizes.values.reduce(Int64(64 << 10)) { $0 + ($1 + 511) / 512 * 512 + 1024 }
}
