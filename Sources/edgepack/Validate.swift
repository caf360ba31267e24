import ArgumentParser
import EdgepackKit
import Foundation
import OCIKit

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "validate", abstract: "Check a pipeline definition and report every mistake in it.")

    @OptionGroup var definition: DefinitionArgument

    func run() throws {
        let loaded = try Workspace(useCache: false).load(definition.file, allowOutside: definition.allowOutside)
        // Steps as the engine runs them, which is what inspect counts; the definition's own count when it differs.
        let steps = loaded.steps.reduce(0) { $0 + $1.engineStepCount }
        let written = steps == loaded.steps.count ? "" : " from \(loaded.steps.count) in the definition"
        for note in Self.networkNotes(loaded) { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }
        print("\(definition.file): ok (pipeline \(loaded.name), \(loaded.models.count) model\(loaded.models.count == 1 ? "" : "s"), \(steps) step\(steps == 1 ? "" : "s")\(written))")
    }

    /// What build, export and publish will fetch over the network: each mirrored image read from a registry.
    static func networkNotes(_ definition: PipelineDefinition) -> [String] {
        guard definition.engine.mirror else { return [] }
        let images = [(definition.engine.image, definition.engine.source, "engine")]
            + definition.deployment.sidekicks.compactMap { sidekick in sidekick.image.map { ($0, sidekick.source, "sidekick \(sidekick.model)") } }
        return images.compactMap { image, source, role in
            let read = source ?? image
            guard !["oci-archive:", "oci:", "docker-archive:"].contains(where: read.hasPrefix) else { return nil }
            let host = (try? ImageReference(parsing: read))?.registry ?? read
            return "the \(role) image \(read) is copied from \(host) (mirroring is on): build, export and publish need to reach it; to work offline, set its source to a local copy (oci:DIR, oci-archive:PATH, docker-archive:PATH) or engine.mirror: false"
        }
    }
}
