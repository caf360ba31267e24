import ArgumentParser
import EdgepackKit
import Foundation
import OCIKit

struct Promote: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promote",
        abstract: "Point a channel (pipelines/NAME:CHANNEL and compose/NAME:CHANNEL) at an already-published version.",
        discussion: "Rolling back is promoting the older version. The move is recorded beside the version (see 'edgepack publishes').\n\n"
            + HelpText.credentials + "\n\n" + HelpText.exitCodes
    )

    @Argument(help: "The pipeline name.")
    var name: String

    @Argument(help: "The published version to point the channel at.")
    var version: String

    @Option(help: "The channel to move, e.g. prod.")
    var channel: String

    @Option(help: "The registry prefix, e.g. ghcr.io/acme/edge.")
    var registry: String

    @Option(help: "Who promotes, for the record (default: $EDGEPACK_CREATED_BY, the CI's actor, git's user.email, or USER@host).")
    var createdBy: String?

    @Flag(help: "Print JSON.")
    var json = false

    @OptionGroup var connection: ConnectionOptions

    /// The channel and the version are checked before anything is sent: a version is a UUID, never a digest tag.
    func validate() throws {
        try checkChannel(channel)
        do {
            try VersionName.check(version, of: name)
        } catch let error as OCIError {
            throw ValidationError(error.message)
        }
    }

    func run() throws {
        let layout = try RegistryLayout(prefix: registry)
        try Repository.checkComponent(name, as: "pipeline name")
        _ = try ManifestReference(validating: version, as: "version")
        _ = try ManifestReference(validating: channel, as: "channel")
        let client = try connection.client(host: Publisher.split(layout).host, resolver: try connection.credentials())
        let ledger = PublishLedger(client: client, layout: layout, pipeline: name)
        let version = version.lowercased()  // versions are written in lower case
        let publication = PublishLedger.Publication(action: "promote", version: version, channel: channel,
                                                    createdBy: PublishAuthor.resolve(explicit: createdBy), sourceCommit: nil,
                                                    toolVersion: EdgepackVersion.string)
        let (events, replaces) = try ledger.conclude(publication)
        struct Moved: Encodable {
            var pipeline: String, version: String, channel: String, replaces: [PublishRecord.Replaced], pipelineURL: String, records: Int
            enum CodingKeys: String, CodingKey { case pipeline, version, channel, replaces, records; case pipelineURL = "pipeline_url" }
        }
        let moved = Moved(pipeline: name, version: version, channel: channel, replaces: replaces,
                          pipelineURL: "\(layout.prefix)/pipelines/\(name):\(channel)", records: events.count)
        if json {
            print(try CanonicalJSON.prettyText(moved))
        } else {
            let before = replaces.first.map { " (was \($0.pipelineVersion))" } ?? ""
            print("\(moved.pipelineURL) -> \(version)\(before)")
        }
    }
}
