import ArgumentParser
import EdgepackKit
import Foundation
import OCIKit

struct Publishes: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "publishes", abstract: "List the versions of a pipeline published to a registry, newest first.")

    @Argument(help: "The pipeline name.")
    var name: String

    @Option(help: "The registry prefix, e.g. ghcr.io/acme/edge.")
    var registry: String

    @Flag(help: "Print JSON.")
    var json = false

    @OptionGroup var connection: ConnectionOptions

    func run() throws {
        let layout = try RegistryLayout(prefix: registry)
        try Repository.checkComponent(name, as: "pipeline name")
        let client = try connection.client(host: Publisher.split(layout).host, resolver: try connection.credentials())
        let versions = try PublishHistory.list(name, layout: layout, client: client)
        guard !versions.isEmpty else { throw PublishHistory.nothingPublished(name, layout: layout, client: client) }
        if json {
            print(try CanonicalJSON.prettyText(versions))
        } else {
            print(Table.render(header: ["VERSION", "CREATED AT", "CREATED BY", "CHANNELS", "REPLACES", "PIPELINE URL"],
                               rows: versions.map { version in
                                   [version.version, version.createdAt ?? version.created ?? "-", version.createdBy ?? "-",
                                    version.channels.isEmpty ? "-" : version.channels.joined(separator: ","),
                                    version.replaces.isEmpty ? "-" : version.replaces.map(\.pipelineVersion).joined(separator: ","), version.pipelineURL]
                               }))
        }
    }
}
