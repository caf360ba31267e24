import Foundation
import Testing
import TestSupport

/// docs/getting-started.md, run as written from a fresh folder: a registry of one's own, a starter project,
/// validate, build, export, publish, publishes, pull — nothing written by hand, no network.
@Suite struct GettingStartedTests {
    @Test func theGettingStartedBlockRunsAsWritten() throws {
        let doc = try String(contentsOfFile: repositoryRoot + "/docs/getting-started.md", encoding: .utf8)
        let begin = try #require(doc.range(of: "<!-- getting-started:begin -->\n```sh\n"))
        let end = try #require(doc.range(of: "```\n<!-- getting-started:end -->"))
        // The release build is the README's; the suite uses the binary it was built with.
        let lines = doc[begin.upperBound..<end.lowerBound].split(separator: "\n").filter { !$0.hasPrefix("swift build") }
        #expect(lines.count >= 12, "the block has its steps")

        let clone = try TemporaryDirectory()
        try FileManager.default.createSymbolicLink(atPath: clone.file("scripts"), withDestinationPath: repositoryRoot + "/scripts")
        let environment = [
            "PATH": (edgepackBinary as NSString).deletingLastPathComponent + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"),
            "XDG_STATE_HOME": clone.file("state"), "DOCKER_CONFIG": clone.file("docker"),
            "EDGEPACK_CACHE_DIR": clone.file("cache"), "OCI_USERNAME": "", "OCI_PASSWORD": "",
        ]
        defer { _ = try? run(edgepackBinary, ["registry", "down"], environment: environment) }
        let script = "set -euo pipefail\n" + lines.joined(separator: "\n") + "\n"
        let result = try run("bash", ["-c", script], environment: environment, directory: clone.path)
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")

        let project = clone.file("my-pipeline")
        #expect(FileManager.default.fileExists(atPath: project + "/out/bundle.tar"))
        #expect(FileManager.default.fileExists(atPath: project + "/out/layout/index.json"))
        let pulled = try FileManager.default.contentsOfDirectory(atPath: project + "/out/edge/models").sorted()
        #expect(pulled == ["classifier", "classifier-next"])
        #expect(result.stderr.contains("channel staging: ") && result.stderr.contains(" (a new channel)\n"), "publish says the channel moved: \(result.stderr)")
        // The pulled model is byte for byte the one init wrote.
        let written = FileManager.default.contents(atPath: project + "/models/classifier.onnx")
        let versions = try FileManager.default.contentsOfDirectory(atPath: project + "/out/edge/models/classifier")
        #expect(written == FileManager.default.contents(atPath: project + "/out/edge/models/classifier/\(versions[0])/classifier.onnx"))
    }
}
