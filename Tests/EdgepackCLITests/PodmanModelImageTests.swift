import Foundation
import Testing
import TestSupport

/// Model images mounted by podman 4 (Debian 12's 4.3, which has no `subpath`): the record's `podman_run` with
/// each model image mounted whole at /model-images/NAME, where the stand-in engine (MODELS_DIR) reads every
/// model under models/NAME/ and checks each file model against the sha256 the pipeline names.
extension PodmanRunTests {
    @Test func podmanMountsEachModelImageWholeAndTheEngineReadsTheModels() throws {
        guard let (sandbox, image) = try readySandbox() else { return }
        let dir = try TemporaryDirectory()
        let record = try publishStandin(image, into: dir, flags: ["--model-images"])

        let subpath = try NSRegularExpression(pattern: #",destination=/models/([^,\s]+),subpath=models/\1"#)
        let printed = record.podman_run
        #expect(subpath.numberOfMatches(in: printed, range: NSRange(printed.startIndex..., in: printed)) == 3, "\(printed)")
        let command = subpath.stringByReplacingMatches(in: printed, range: NSRange(printed.startIndex..., in: printed), withTemplate: ",destination=/model-images/$1")
            .replacingOccurrences(of: "podman run \\\n", with: "podman run -e MODELS_DIR=/model-images \\\n")
        #expect(command.contains("podman run -e MODELS_DIR=/model-images") && !command.contains("subpath="), "\(command)")

        let environment = sandbox.environment.merging(["EDGE_PORT": "\(sandbox.enginePort)", "OCI_USERNAME": "edgepack", "OCI_PASSWORD": "edgepack-pass"]) { $1 }
        let logFile = dir.file("podman-run.log")
        let engine = try startShell(command, environment: environment, output: logFile)
        defer { if engine.isRunning { engine.terminate() } }
        let log = { (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "" }
        _ = try #require(try sandbox.engineAnswer("models", stillRunning: { engine.isRunning }), "the engine never answered: \(log())")
        for model in record.models {
            #expect(log().contains("model \(model.name) read from /model-images/\(model.name)/models/\(model.name) ("), "\(log())")
        }
        #expect(log().contains("3 models read from /model-images"), "\(log())")
        _ = try sandbox.podman(["rm", "--force", "--all", "--time", "0"])
        engine.waitUntilExit()
    }
}
