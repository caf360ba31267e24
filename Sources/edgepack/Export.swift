import ArgumentParser
import EdgepackKit
import OCIKit

struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export every artifact of the pipeline as one offline bundle (an OCI image layout tar)."
    )

    @OptionGroup var definition: DefinitionArgument

    @Option(name: .shortAndLong, help: "The bundle to write, e.g. bundle.tar.")
    var output: String

    @OptionGroup var cache: CacheOptions

    func run() async throws {
        let workspace = Workspace(useCache: !cache.noCache)
        let build = try workspace.build(workspace.load(definition.file))
        try ImageLayoutArchiver.export(build.artifacts, to: output, mtime: SourceDate.epoch())
        for artifact in build.artifacts {
            print("\(artifact.reference) \(artifact.manifestBlob.descriptor.digest)")
        }
        print("wrote \(output)")
    }
}
