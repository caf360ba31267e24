import ArgumentParser
import EdgepackKit
import Foundation
import OCIKit

struct Publish: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build every artifact and push it to an OCI registry; print the publish record.",
        discussion: "Pushes blobs, then model manifests, then the pipeline, chart and compose manifests. Re-running with the same inputs uploads nothing."
    )

    @OptionGroup var definition: DefinitionArgument
    @OptionGroup var render: RenderOptions
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: RecordOutputOptions
    @OptionGroup var cache: CacheOptions

    func run() async throws {
        let resolver = try connection.credentials()  // first: a bad --password-stdin fails before any hashing
        let (_, build) = try buildPipeline(definition, cache, render)
        guard !build.layout.isPlaceholder else {
            throw CommandError("no registry to publish to: pass --registry (e.g. ghcr.io/acme/edge) or set 'registry' in the definition")
        }
        let progress = ProgressLine(quiet: output.quiet)
        let client = try connection.client(host: Publisher.split(build.layout).host, resolver: resolver, onUpload: progress.onUpload)
        progress.start("publishing \(build.definition.name)")
        defer { progress.stop() }
        let (record, summary) = try Publisher(client: client, layout: build.layout, onEvent: progress.onEvent).publish(build)
        progress.stop()
        try output.print(record, summary: summary, retries: client.counters.retries)
    }
}

/// --json / --quiet, shared by the commands that print a publish record.
struct RecordOutputOptions: ParsableArguments {
    @Flag(help: "Print the publish record as JSON.")
    var json = false

    @Flag(name: .shortAndLong, help: "No progress and no transfer summary.")
    var quiet = false

    func print(_ record: PublishRecord, summary: CopySummary, retries: Int) throws {
        Swift.print(json ? try record.json() : try record.table())
        if !quiet {
            let line = "uploaded \(summary.blobsCopied) blob\(summary.blobsCopied == 1 ? "" : "s") (\(ByteCount.format(summary.bytesCopied))), mounted \(summary.blobsMounted), already there \(summary.blobsExisting)"
            FileHandle.standardError.write(Data((line + (retries > 0 ? ", \(retries) retried" : "") + "\n").utf8))
        }
    }
}
