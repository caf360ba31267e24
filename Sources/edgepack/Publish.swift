import ArgumentParser
import EdgepackKit
import Foundation
import OCIKit

struct Publish: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build every artifact and push it to an OCI registry; print the publish record.",
        discussion: "Pushes blobs, then model manifests, then the pipeline, chart and compose manifests. Re-running with the same inputs uploads nothing.\n\n"
            + HelpText.credentials + "\n\n" + HelpText.exitCodes
    )

    @OptionGroup var definition: DefinitionArgument
    @OptionGroup var render: RenderOptions
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var uploads: UploadOptions
    @OptionGroup var output: RecordOutputOptions
    @OptionGroup var cache: CacheOptions

    func run() async throws {
        let resolver = try connection.credentials()  // first: a bad --password-stdin fails before any hashing
        let (_, build) = try buildPipeline(definition, cache, render)
        let progress = ProgressLine(quiet: output.quiet)
        let client = try connection.client(host: Publisher.split(build.layout).host, resolver: resolver, onUpload: progress.onUpload, uploads: uploads)
        progress.start("publishing \(build.definition.name)")
        let record: PublishRecord
        do {
            record = try Publisher(client: client, onEvent: progress.onEvent).publish(build)
            progress.stop()
        } catch {
            progress.stop()
            throw error
        }
        try output.print(record, counters: client.counters)
    }
}

/// --json / --quiet, shared by the commands that print a publish record.
struct RecordOutputOptions: ParsableArguments {
    @Flag(help: "Print the publish record as JSON.")
    var json = false

    @Flag(name: .shortAndLong, help: "No progress and no transfer summary.")
    var quiet = false

    func print(_ record: PublishRecord, counters: TransferCounters) throws {
        Swift.print(json ? try record.json() : try record.table())
        if !quiet {
            let summary = "uploaded \(counters.uploadedBlobs) blob\(counters.uploadedBlobs == 1 ? "" : "s") (\(ByteCount.format(counters.uploadedBytes))), mounted \(counters.mountedBlobs), already there \(counters.existingBlobs)"
            FileHandle.standardError.write(Data((summary + (counters.retries > 0 ? ", \(counters.retries) retried" : "") + "\n").utf8))
        }
    }
}
