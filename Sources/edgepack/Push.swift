import ArgumentParser
import EdgepackKit
import Foundation
import OCIKit

struct Push: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "Upload an offline bundle to a registry (an air-gapped site's own), with URLs rewritten for it.",
        discussion: "Models and the pipeline keep their digests; the chart and compose file are rendered again for the new registry.\n\n"
            + HelpText.credentials + "\n\n" + HelpText.exitCodes
    )

    @Argument(help: "A bundle written by 'edgepack export' (a split one: its first part BUNDLE.tar.000, BUNDLE.tar.parts.json, or BUNDLE.tar).", completion: .file(extensions: ["tar"]))
    var bundle: String

    @Option(help: "The registry prefix to push under, e.g. registry.site.local/edge.")
    var registry: String

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var uploads: UploadOptions
    @OptionGroup var output: RecordOutputOptions
    @OptionGroup var signing: SigningOptions
    @OptionGroup var channel: ChannelOptions

    func run() throws {
        let layout = try RegistryLayout(prefix: registry)
        let opened = try ImageLayoutBundle(path: bundle)
        let progress = ProgressDisplay(quiet: output.quiet)
        let client = try connection.client(host: Publisher.split(layout).host, resolver: try connection.credentials(), uploads: uploads)
        let rebuilt = try PipelineBuild(bundle: opened, for: layout)
        progress.start("pushing \((bundle as NSString).lastPathComponent)", total: rebuilt.transferBytes)
        defer { progress.stop() }
        let chain = try signing.supplyChain()
        let pushed = try Publisher(client: client, layout: layout, onEvent: progress.onEvent)
            .publish(rebuilt, signing: chain, from: opened, publication: channel.publication(action: "push", sourceCommit: nil))
        progress.stop()
        if !output.quiet { signing.noteKept(pushed.kept, signed: chain.key != nil) }
        let (record, summary) = (pushed.record, pushed.summary)
        try output.print(record, summary: summary, counters: client.counters, channel: channel.channel)
    }
}
