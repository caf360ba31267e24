import ArgumentParser
import EdgepackKit
import Foundation
import OCIKit

struct Render: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Write the pipeline's Helm chart, values.yaml, compose.yaml and deploy commands.",
        discussion: """
        Writes DIR/chart/NAME/, DIR/NAME-0.0.1-VERSION.tgz, DIR/values.yaml, DIR/compose.yaml, DIR/.env.example, \
        DIR/DEPLOY.md, and for the edge agent DIR/edgepack-agent.service and an example DIR/agent.yaml. No file \
        contains a password unless --embed-credentials is given.
        """
    )

    @OptionGroup var definition: DefinitionArgument

    @Option(name: .shortAndLong, help: "The directory to write into (created if missing).")
    var output: String

    @OptionGroup var render: RenderOptions

    @Flag(help: "Write OCI_USERNAME and OCI_PASSWORD from the environment into values.yaml and .env (files made 0600).")
    var embedCredentials = false

    @OptionGroup var cache: CacheOptions
    @OptionGroup var images: ImageOptions
    @OptionGroup var offline: OfflineOption

    func validate() throws { try offline.check(cache) }

    func run() throws {
        let credentials = embedCredentials ? try credentialsFromEnvironment() : nil
        let (_, build) = try buildPipeline(definition, cache, render, images: images, offline: offline.offline)
        if offline.offline { noteCachedTags(build) }
        try FileManager.default.createDirectory(atPath: PathArgument.absolute(output), withIntermediateDirectories: true)
        let written = try RenderWriter(directory: PathArgument.absolute(output)).write(build, templates: try render.chartTemplates(), credentials: credentials)
        for path in written where !path.contains("/chart/") { print("wrote \(path)") }
        for (name, text) in [("edgepack-agent.service", AgentServiceFiles.systemdUnit), ("agent.yaml", AgentServiceFiles.agentYAML(pipeline: build.name, layout: build.layout))] {
            try AtomicFile.write(Data(text.utf8), to: output + "/" + name)
            print("wrote \(output)/\(name)")
        }
        print("wrote \(output)/chart/\(build.name)/")
        if build.layout.isPlaceholder {
            print("note: no registry given; URLs use \(RegistryLayout.placeholderPrefix) (pass --registry or set 'registry' in the definition)")
        }
    }

    private func credentialsFromEnvironment() throws -> EmbeddedCredentials {
        guard case .password(let username, let password) = EdgepackEnvironment.current.credentials().environmentCredential() else {
            throw CommandError("--embed-credentials needs OCI_USERNAME and OCI_PASSWORD (or EDGEPACK_USERNAME and EDGEPACK_PASSWORD) in the environment")
        }
        return EmbeddedCredentials(username: username, password: password)
    }
}
