import ArgumentParser
import EdgepackKit

struct Validate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "validate", abstract: "Check a pipeline definition and report every mistake in it.")

    @OptionGroup var definition: DefinitionArgument

    func run() async throws {
        let loaded = try Workspace(useCache: false).load(definition.file, allowOutside: definition.allowOutside)
        // Steps as the engine runs them, which is what inspect counts; the definition's own count when it differs.
        let steps = loaded.steps.reduce(0) { $0 + $1.engineStepCount }
        let written = steps == loaded.steps.count ? "" : " from \(loaded.steps.count) in the definition"
        print("\(definition.file): ok (pipeline \(loaded.name), \(loaded.models.count) model\(loaded.models.count == 1 ? "" : "s"), \(steps) step\(steps == 1 ? "" : "s")\(written))")
    }
}
