import ArgumentParser
import EdgepackKit
import OCIKit

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export every artifact of the pipeline as one offline bundle (an OCI image layout tar)."
    )

    @OptionGroup var definition: DefinitionArgument

    @Option(name: .shortAndLong, help: "The bundle to write, e.g. bundle.tar.")
    var output: String

    @Option(help: "Write the bundle as parts of at most this size (e.g. 64M, 4G): OUTPUT.000, .001, … and OUTPUT.parts.json; their concatenation is the bundle.")
    var split: String?

    @OptionGroup var render: RenderOptions
    @OptionGroup var cache: CacheOptions
    @OptionGroup var images: ImageOptions
    @OptionGroup var offline: OfflineOption
    @OptionGroup var signing: SigningOptions
    @OptionGroup var delta: DeltaOptions
    @OptionGroup var report: ArtifactOutputOptions

    func validate() throws {
        try offline.check(cache)
        if let split, (UploadOptions.bytes(split) ?? 0) < 1 << 20 {
            throw ValidationError("--split takes a part size of at least 1M such as 64M or 4G, got '\(split)'")
        }
    }

    func run() throws {
        let output = PathArgument.absolute(self.output)
        let progress = ProgressDisplay(quiet: !report.showsProgress, plainLines: false)
        // A directory model hashed now is kept as its tar beside the bundle, which is then written from it.
        let (workspace, build) = try buildPipeline(definition, cache, render, images: images, offline: offline.offline, progress: progress,
                                                   keepingTarsBeside: output)
        if offline.offline && report.showsProgress { noteCachedTags(build) }
        if report.showsProgress { noteUpstreamNotLookedFor(build) }
        let artifacts = try signing.artifactsToCopy(build, alsoSigning: build.imageManifests)
        let copy = try ReleaseCopy(build, artifacts: artifacts)
        try DiskSpace.ensure(bundleSize(copy), for: output, what: "the bundle")
        let partSize = split.flatMap(UploadOptions.bytes)
        if let partSize, bundleSize(copy) / partSize >= Int64(SplitBundle.maximumParts) {
            throw CommandError("--split \(split!) would cut the bundle (about \(ByteCount.format(bundleSize(copy)))) into more than \(SplitBundle.maximumParts) parts: pass a larger size")
        }
        let destination = LayoutArchiveDestination(path: output, mtime: SourceDate.epoch(), digester: workspace.digester,
                                                   omitting: try delta.omitted(from: artifacts, alsoCarrying: try build.imageConfigs()), partSize: partSize)
        progress.start("exporting \(build.name)", total: copy.bytes)
        defer { progress.stop() }
        try copy.copy(to: destination, onEvent: progress.onEvent)
        progress.stop()
        try report.report(build, output: output, bundle: self.output, wrote: "wrote \(self.output)" + (partSize == nil ? "" : try Self.partsNote(output)))
    }
}

extension Export {
    /// ` in 3 parts (bundle.tar.000 to .002, listed in bundle.tar.parts.json)`.
    static func partsNote(_ output: String) throws -> String {
        let list = try SplitBundle.read(listPath: output + SplitBundle.suffix)
        let name = list.bundle, last = list.parts.count - 1
        return " in \(list.parts.count) part\(last == 0 ? "" : "s") (\(SplitBundle.partName(name, 0))\(last == 0 ? "" : " to ." + String(SplitBundle.partName(name, last).suffix(3)))"
            + ", listed in \(name)\(SplitBundle.suffix))"
    }
}

/// About how large the bundle is: each blob once with a tar header and padding, and room for the index.
func bundleSize(_ copy: ReleaseCopy) -> Int64 {
    copy.bytes + Int64(copy.items.count) * 4096 + (64 << 10) + Int64(copy.items.count + 16) * 1536
}
