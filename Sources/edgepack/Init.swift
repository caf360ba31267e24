import ArgumentParser
import EdgepackKit
import Foundation
import OCIKit

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Start a project: a commented edgepack.yaml, two small ONNX models, and where its engine comes from.",
        discussion: "Writes nothing over existing files. The engine is read from DIR/engine, an image layout the project's stand-in engine script makes offline (scripts/make-standin-engine --out DIR/engine --tag v1)."
    )

    @Argument(help: "The project folder (created if missing; default: the current folder).")
    var directory = "."

    @Option(help: "The pipeline's name (default: the folder's name, made valid).")
    var name: String?

    @Option(help: "The registry prefix the definition names for publish.")
    var registry = "localhost:5000/edge"

    func run() throws {
        let folder = PathArgument.absolute(directory)
        let pipeline = name ?? PipelineName.suggestion(from: (folder as NSString).lastPathComponent)
        let written = try StarterProject.write(into: folder, name: pipeline, registry: registry)
        let shown = directory == "." ? "" : directory + "/"
        for path in written { print("wrote \(shown)\(path)") }
        if !FileStatus.exists(folder + "/" + StarterProject.engineFolder) {
            print("next: make the engine image offline: scripts/make-standin-engine --out \(ShellWord.quoted(shown + StarterProject.engineFolder)) --tag v1")
        }
        print("then: edgepack validate \(ShellWord.quoted(shown + StarterProject.definitionFile))")
    }
}
