import ArgumentParser
import EdgepackKit

struct Validate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "validate", abstract: "Check a pipeline definition and report every mistake in it.")

    @OptionGroup var definition: DefinitionArgument

    func run() async throws {
        let loaded = try Workspace(useCache: false).load(definition.file, allowOutside: definition.allowOutside)
        print("\(definition.file): ok (pipeline \(loaded.name), \(loaded.models.count) model\(loaded.models.count == 1 ? "" : "s"), \(loaded.steps.count) step\(loaded.steps.count == 1 ? "" : "s"))")
    }
}
