import ArgumentParser
import EdgepackKit
import Foundation
import OCIKit

struct Inventory: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inventory",
        abstract: "List what a (site's) registry holds in edgepack's repositories, for 'export --site-inventory'.",
        discussion: "Run it at the site; carry the file to where bundles are made. With pipeline names, reads those pipelines' repositories (and their models', the engine's and sidekicks'); without, every edgepack repository the registry's catalog lists.\n\n"
            + HelpText.credentials
    )

    @Argument(help: "Pipelines to inventory (default: all the registry's catalog lists under the prefix).")
    var pipelines: [String] = []

    @Option(help: "The site's registry prefix, e.g. registry.site.local/edge.")
    var registry: String

    @Option(name: .shortAndLong, help: "The inventory file to write.")
    var output: String

    @OptionGroup var connection: ConnectionOptions

    func run() throws {
        let layout = try RegistryLayout(prefix: registry)
        let client = try connection.client(host: Publisher.split(layout).host, resolver: try connection.credentials())
        guard let repositories = try SiteContent.repositories(pipelines: pipelines, client: client, layout: layout) else {
            throw CommandError("\(layout.host) does not list its repositories: name the pipelines to inventory (edgepack inventory NAME… --registry \(registry) -o \(output))")
        }
        let inventory = try RegistryInventory.collect(client: client, prefixPath: Publisher.split(layout).path, registry: layout.prefix,
                                                      repositories: repositories)
        try AtomicFile.write(Data((try CanonicalJSON.prettyText(inventory) + "\n").utf8), to: PathArgument.absolute(output))
        let blobs = inventory.digests.count
        print("wrote \(output): \(inventory.repositories.count) repositories, \(blobs) blobs and manifests")
    }
}
