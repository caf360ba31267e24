import ArgumentParser
import EdgepackKit
import OCIKit

struct Build: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Build the pipeline's OCI artifacts into an OCI image layout directory.")

    @OptionGroup var definition: DefinitionArgument

    @Option(name: .shortAndLong, help: "The OCI image layout directory to write (created, or updated in place).")
    var output: String

    @OptionGroup var cache: CacheOptions

    func run() async throws {
        let workspace = Workspace(useCache: !cache.noCache)
        let build = try workspace.build(workspace.load(definition.file))
        let written = try ImageLayoutWriter(directory: output, digester: workspace.digester).write(build.artifacts)
        for artifact in build.artifacts {
            print("\(artifact.reference) \(artifact.manifestBlob.descriptor.digest)")
        }
        print("wrote \(output) (\(written) new blob\(written == 1 ? "" : "s"))")
    }
}
