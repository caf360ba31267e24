import ArgumentParser
import EdgepackKit
import Foundation
import OCIKit

@main
struct EdgepackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edgepack",
        abstract: "Ship machine-learning pipelines to the edge as OCI artifacts.",
        version: EdgepackVersion.string,
        subcommands: [Validate.self, Digest.self, Build.self, Export.self, Render.self, Inspect.self, Publish.self, Push.self, Pull.self, Publishes.self, Promote.self, Agent.self, Sites.self, Inventory.self, Diff.self, Verify.self, Login.self, Logout.self, LocalRegistryCommand.self, Init.self, Completion.self, MirrorImage.self]
    )

    /// Runs the command; every failure becomes one-line messages on stderr and a non-zero exit.
    static func main() {
        if let unknown = CommandSuggestion.unknownCommand(in: Array(CommandLine.arguments.dropFirst()), known: configuration.subcommands.map { $0._commandName }) {
            FileHandle.standardError.write(Data("edgepack: error: \(unknown)\n".utf8))
            Foundation.exit(ExitCode.validationFailure.rawValue)
        }
        Interruption.install()
        let parsed: ParsableCommand
        do {
            parsed = try parseAsRoot()
        } catch {
            usageFailure(error)
        }
        removeStaleTemporaryFiles(for: parsed)
        do {
            var command = parsed
            try command.run()
            Interruption.exitIfRequested()
        } catch let error as DefinitionError {
            Interruption.exitIfRequested()
            FileHandle.standardError.write(Data((error.userMessage + "\n").utf8))
            Foundation.exit(1)
        } catch let error as InputError {
            Interruption.exitIfRequested()
            FileHandle.standardError.write(Data("edgepack: error: \(error.userMessage)\n".utf8))
            Foundation.exit(1)
        } catch let error as OCIError {
            Interruption.exitIfRequested()
            FileHandle.standardError.write(Data("edgepack: error: \(ErrorAdvice.line(for: error))\n".utf8))
            Foundation.exit(1)
        } catch let error as CommandError {
            Interruption.exitIfRequested()
            FileHandle.standardError.write(Data("edgepack: error: \(MessageText.escaped(error.message))\n".utf8))
            Foundation.exit(1)
        } catch {
            Interruption.exitIfRequested()
            if let fileError = OCIError(foundation: error) {  // FileManager's, never `Error Domain=NSCocoaErrorDomain …`
                FileHandle.standardError.write(Data("edgepack: error: \(ErrorAdvice.line(for: fileError))\n".utf8))
                Foundation.exit(1)
            }
            exit(withError: error)
        }
    }
}

extension EdgepackCommand {
    /// A command line that cannot run: one line naming the mistake and where help is (help and --version
    /// requests print as usual).
    static func usageFailure(_ error: any Error) -> Never {
        guard exitCode(for: error) != .success else { exit(withError: error) }
        let first = message(for: error).split(separator: "\n").first.map(String.init) ?? "invalid command line"
        let subcommand = CommandLine.arguments.dropFirst().first { name in configuration.subcommands.contains { $0._commandName == name } }
        let help = subcommand.map { "edgepack \($0) --help" } ?? "edgepack --help"
        FileHandle.standardError.write(Data("edgepack: error: \(MessageText.escaped(first)) (see '\(help)')\n".utf8))
        Foundation.exit(exitCode(for: error).rawValue)
    }
}

enum EdgepackVersion {
    static let string = "0.1.0"
}


/// A mistake found while running (not in the command line's shape): one line on stderr, exit 1.
struct CommandError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}
