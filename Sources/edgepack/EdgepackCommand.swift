import ArgumentParser
import EdgepackKit
import Foundation
import OCIKit

@main
struct EdgepackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edgepack",
        abstract: "Ship machine-learning pipelines to the edge as OCI artifacts.",
        version: EdgepackVersion.string,
        subcommands: [Validate.self, Digest.self, Build.self, Export.self, Render.self, Inspect.self, Publish.self, Push.self, Pull.self, Publishes.self, Verify.self, Login.self, Logout.self, Completion.self]
    )

    /// Runs the command; every failure becomes one-line messages on stderr and a non-zero exit.
    static func main() async {
        if let unknown = CommandSuggestion.unknownCommand(in: Array(CommandLine.arguments.dropFirst()), known: configuration.subcommands.map { $0._commandName }) {
            FileHandle.standardError.write(Data("edgepack: error: \(unknown)\n".utf8))
            Foundation.exit(ExitCode.validationFailure.rawValue)
        }
        Interruption.install()
        do {
            var command = try parseAsRoot()
            if var async = command as? AsyncParsableCommand {
                try await async.run()
            } else {
                try command.run()
            }
            Interruption.exitIfRequested()
        } catch let error as DefinitionError {
            Interruption.exitIfRequested()
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            Foundation.exit(1)
        } catch let error as OCIError {
            Interruption.exitIfRequested()
            FileHandle.standardError.write(Data("edgepack: error: \(ErrorAdvice.line(for: error))\n".utf8))
            Foundation.exit(1)
        } catch let error as CommandError {
            Interruption.exitIfRequested()
            FileHandle.standardError.write(Data("edgepack: error: \(error.message)\n".utf8))
            Foundation.exit(1)
        } catch {
            Interruption.exitIfRequested()
            exit(withError: error)
        }
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
