import ArgumentParser
import EdgepackKit
import Foundation
import OCIKit

struct Publish: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
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
    @OptionGroup var images: ImageOptions
    @OptionGroup var signing: SigningOptions
    @OptionGroup var channel: ChannelOptions

    func run() throws {
        let resolver = try connection.credentials()  // first: a bad --password-stdin fails before any hashing
        let progress = ProgressDisplay(quiet: output.quiet)
        let (workspace, build) = try buildPipeline(definition, cache, render, images: images, registryOptions: connection.registryOptions(), progress: progress)
        guard !build.layout.isPlaceholder else {
            throw CommandError("no registry to publish to: pass --registry (e.g. ghcr.io/acme/edge) or set 'registry' in the definition")
        }
        if !output.quiet { noteUpstreamNotLookedFor(build) }
        let client = try connection.client(host: Publisher.split(build.layout).host, resolver: resolver, uploads: uploads)
        progress.start("publishing \(build.name)", total: build.transferBytes)
        defer { progress.stop() }
        // Signatures and attestations already in the registry are kept: a new key's go beside them, and without
        // a key nothing is written over them.
        let chain = try signing.supplyChain()
        let published = try Publisher(client: client, layout: build.layout, digester: workspace.digester, onEvent: progress.onEvent)
            .publish(build, signing: chain,
                     publication: channel.publication(action: "publish", sourceCommit: SourceInfo.detect(definitionPath: definition.file).gitCommit))
        progress.stop()
        if !output.quiet {
            signing.noteKept(published.kept, signed: chain.key != nil)
            noteUnmirroredImages(build)
        }
        let (record, summary) = (published.record, published.summary)
        try output.print(record, summary: summary, counters: client.counters, channel: channel.channel)
    }
}

/// --json / --quiet, shared by the commands that print a publish record.
struct RecordOutputOptions: ParsableArguments {
    @Flag(help: "Print the publish record as JSON.")
    var json = false

    @Flag(name: .shortAndLong, help: "No progress and no transfer summary.")
    var quiet = false

    /// The transfer summary (stderr) first, then the record (stdout).
    func print(_ record: PublishRecord, summary: CopySummary, counters: TransferCounters, channel: String?) throws {
        if !quiet, let channel {
            // As promote says it: which version the channel names now, and which it named before.
            let before = record.replaces.first.map { $0.pipelineVersion == record.pipelineVersion ? "unchanged" : "was \($0.pipelineVersion)" } ?? "a new channel"
            FileHandle.standardError.write(Data("channel \(channel): \(record.pipelineVersion) (\(before))\n".utf8))
        }
        if !quiet {
            var line = "uploaded \(summary.blobsCopied) blob\(summary.blobsCopied == 1 ? "" : "s") (\(ByteCount.format(summary.bytesCopied))), mounted \(summary.blobsMounted), already there \(summary.blobsExisting)"
            if counters.retries > 0 { line += ", \(counters.retries) retried" }
            if counters.resumes > 0 { line += ", \(counters.resumes) resumed (\(ByteCount.format(counters.resumedBytes)) not sent again)" }
            if !counters.fallbacks.isEmpty { line += "; fallbacks: " + counters.fallbacks.keys.sorted().joined(separator: ", ") }
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
        Swift.print(json ? try CanonicalJSON.prettyText(RecordWithTransfer(record: record, transfer: TransferSummary(summary, counters))) : try record.table())
    }
}

/// How the transfer went, beside the publish record in `--json` output (`transfer`).
struct TransferSummary: Encodable {
    var uploadedBlobs: Int, uploadedBytes: Int64, mountedBlobs: Int, existingBlobs: Int
    var sentBytes: Int64, retries: Int, resumes: Int, resumedBytes: Int64
    /// Each fallback taken (`chunked-after-body-limit`, `smaller-chunks`, …) and how often.
    var fallbacks: [String: Int]

    enum CodingKeys: String, CodingKey {
        case retries, resumes, fallbacks
        case uploadedBlobs = "uploaded_blobs", uploadedBytes = "uploaded_bytes", mountedBlobs = "mounted_blobs"
        case existingBlobs = "existing_blobs", sentBytes = "sent_bytes", resumedBytes = "resumed_bytes"
    }

    init(_ summary: CopySummary, _ counters: TransferCounters) {
        (uploadedBlobs, uploadedBytes, mountedBlobs, existingBlobs) = (summary.blobsCopied, summary.bytesCopied, summary.blobsMounted, summary.blobsExisting)
        (sentBytes, retries, resumes, resumedBytes) = (counters.sentBytes, counters.retries, counters.resumes, counters.resumedBytes)
        fallbacks = counters.fallbacks
    }
}

/// The publish record with a `transfer` object added (the record's own fields unchanged).
struct RecordWithTransfer: Encodable {
    var record: PublishRecord
    var transfer: TransferSummary

    enum CodingKeys: String, CodingKey { case transfer }

    func encode(to encoder: any Encoder) throws {
        try record.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(transfer, forKey: .transfer)
    }
}
