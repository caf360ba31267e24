import Foundation
import Testing
import TestSupport

/// `edgepack init`: a starter project whose models are real ONNX and whose engine is made offline.
@Suite struct StarterProjectTests {
    @Test func initWritesAProjectThatBuildsOfflineWithRealONNXModels() throws {
        let dir = try TemporaryDirectory()
        let result = try edgepack(["init", "My Project_2"], directory: dir.path)
        #expect(result.status == 0, "\(result.stderr)")
        let project = dir.file("My Project_2")
        let definition = try String(contentsOfFile: project + "/edgepack.yaml", encoding: .utf8)
        #expect(definition.contains("\nname: my-project-2\n"), "the folder's name, made valid")
        #expect(result.stdout.contains("next: make the engine image offline: scripts/make-standin-engine --out 'My Project_2/engine' --tag v1\n"), "\(result.stdout)")

        let onnx = repositoryRoot + "/.tools/venv-onnx/bin/python"
        try #require(FileManager.default.isExecutableFile(atPath: onnx), "scripts/setup installs onnx into .tools/venv-onnx")
        let checked = try run(onnx, ["-c", """
            import onnx, onnx.checker, sys
            for path in sys.argv[1:]:
                model = onnx.load(path)
                onnx.checker.check_model(model, full_check=True)
                print(model.graph.node[0].op_type, [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim])
            """, project + "/models/classifier.onnx", project + "/models/classifier-next.onnx"])
        #expect(checked.status == 0, "\(checked.stderr)")
        #expect(checked.stdout == "Sigmoid [1, 4]\nRelu [1, 4]\n")

        // Before the engine is made, validate says what build would miss, where the definition names it.
        let early = try edgepack(["validate", project + "/edgepack.yaml"])
        #expect(early.status == 1 && early.stderr.contains("edgepack.yaml:12:11: 'engine.source': image source engine does not exist"), "\(early.stderr)")

        let engine = try run("python3", [repositoryRoot + "/scripts/make-standin-engine", "--out", project + "/engine", "--tag", "v1"])
        #expect(engine.status == 0, "\(engine.stderr)")
        let build = try edgepack(["build", project + "/edgepack.yaml", "-o", dir.file("layout")])
        #expect(build.status == 0, "\(build.stderr)")
        let index = try String(contentsOfFile: dir.file("layout/index.json"), encoding: .utf8)
        #expect(index.contains("\"engine:v1\""), "the engine travels with the pipeline")
    }

    /// A mirrored image read from a registry: validate says that build will need the network, and how not to.
    @Test func validateSaysWhenMirroringNeedsTheNetwork() throws {
        let dir = try TemporaryDirectory()
        _ = try edgepack(["init", "p"], directory: dir.path)
        let file = dir.file("p/edgepack.yaml")
        let text = try String(contentsOfFile: file, encoding: .utf8).replacingOccurrences(of: "  source: oci:engine:v1\n", with: "")
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        let result = try edgepack(["validate", file])
        #expect(result.status == 0)
        #expect(result.stderr == "note: the engine image localhost/edgepack/standin-engine:v1 is copied from localhost (mirroring is on): build, export and publish need to reach it; to work offline, set its source to a local copy (oci:DIR, oci-archive:PATH, docker-archive:PATH) or engine.mirror: false\n")
        #expect(try edgepack(["validate", fixture("ccfraud/edgepack.yaml")]).stderr.isEmpty, "mirror: false needs no network")
    }

    @Test func initNeverWritesOverAFile() throws {
        let dir = try TemporaryDirectory()
        try dir.write("p/models/classifier.onnx", "mine")
        let result = try edgepack(["init", "p"], directory: dir.path)
        #expect(result.status == 1)
        #expect(result.stderr.split(separator: "\n").count == 1 && result.stderr.contains("models/classifier.onnx already exists"), "\(result.stderr)")
        #expect(try String(contentsOfFile: dir.file("p/models/classifier.onnx"), encoding: .utf8) == "mine")
        #expect(!FileManager.default.fileExists(atPath: dir.file("p/edgepack.yaml")), "nothing written when one file is in the way")
    }
}
