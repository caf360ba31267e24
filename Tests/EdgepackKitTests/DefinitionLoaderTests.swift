import Foundation
import Testing
import TestSupport
@testable import EdgepackKit

/// Parses YAML text in a folder holding `model.onnx` and `model-dir/`, returning the definition or its messages.
func parse(_ yaml: String) throws -> Result<PipelineDefinition, DefinitionError> {
    let dir = try TemporaryDirectory()
    try dir.write("model.onnx", "onnx bytes")
    try dir.write("model-dir/weights.bin", "w")
    do {
        return .success(try DefinitionLoader.parse(yaml, file: "edgepack.yaml", baseDirectory: dir.path))
    } catch let error as DefinitionError {
        return .failure(error)
    }
}

func messages(_ yaml: String) throws -> [String] {
    switch try parse(yaml) {
    case .success: return []
    case .failure(let error): return error.diagnostics.map(\.description)
    }
}

let minimal = """
name: demo
engine:
  image: ghcr.io/acme/engine:v1
models:
  - name: m
    path: model.onnx
    framework: onnx
steps:
  - model: m

"""

@Suite struct DefinitionLoaderTests {
    @Test func appliesDefaults() throws {
        let definition = try parse(minimal).get()
        #expect(definition.name == "demo")
        #expect(definition.version == nil)
        #expect(definition.deployment == Deployment())
        #expect(definition.deployment.resources == Resources(cpus: 1, memory: "1Gi", gpus: 0))
        #expect(definition.deployment.arch == .x86 && definition.deployment.accel == Accelerator.none)
        #expect(definition.models[0].runtime == .onnx)
        #expect(definition.models[0].isDirectory == false)
        #expect(definition.steps == [.model("m")])
    }

    @Test(arguments: [(Framework.onnx, Runtime.onnx), (.tensorflow, .tensorflow), (.mlflow, .mlflow), (.custom, .flight), (.python, .flight), (.huggingFace, .flight), (.pytorch, .flight)])
    func runtimeFollowsFramework(framework: Framework, runtime: Runtime) throws {
        let yaml = minimal.replacingOccurrences(of: "framework: onnx", with: "framework: \(framework.rawValue)")
        #expect(try parse(yaml).get().models[0].runtime == runtime)
    }

    @Test func readsTheTutorialFixtures() throws {
        let ccfraud = try DefinitionLoader.load(path: fixture("ccfraud/edgepack.yaml"))
        #expect(ccfraud.version == "2c5968b7-62fa-49f8-9489-aaf84cfb80aa")
        #expect(ccfraud.models.map(\.name) == ["ccfraud", "ccfraud-xgb", "aloha"])
        #expect(ccfraud.models[2].isDirectory)
        #expect(ccfraud.steps == [
            .shadow(champion: "ccfraud", challengers: ["ccfraud-xgb"]),
            .split(key: "session_id", weights: [SplitWeight(model: "ccfraud", weight: 2), SplitWeight(model: "aloha", weight: 1)]),
        ])
        #expect(ccfraud.deployment.replicas == 2)
        let vgg = try DefinitionLoader.load(path: fixture("vgg16-clustering/edgepack.yaml"))
        #expect(vgg.deployment.resources == Resources(cpus: 0.25, memory: "4Gi", gpus: 0))
        #expect(vgg.deployment.sidekicks == [Sidekick(model: "vgg16-clustering", resources: Resources(cpus: 1, memory: "2Gi", gpus: 0))])
        #expect(vgg.models[0].inputSchema == [SchemaField(name: "images", type: "fixed_size_list<fixed_size_list<fixed_size_list<int64, 3>, 32>, 32>")])
    }

    @Test(arguments: [
        ("name: demo\n", "name: Demo_Pipe!\n", "edgepack.yaml:1:7: name 'Demo_Pipe!' is not a valid OCI path component"),
        ("name: demo\n", "name: demo\ncolour: blue\n", "edgepack.yaml:2:1: unknown key 'colour' (expected one of:"),
        ("name: demo\n", "name: demo\nengnie: {image: x}\n", "edgepack.yaml:2:1: unknown key 'engnie'; did you mean 'engine'?"),
        ("name: demo\n", "name: demo\nversion: 1234\n", "edgepack.yaml:2:10: 'version' must be a UUID"),
        ("name: demo\n", "name: demo\ndeployment: {memory: 4GB}\n", "edgepack.yaml:2:22: 'deployment.memory' must be a Kubernetes quantity"),
        ("name: demo\n", "name: demo\ndeployment: {replicas: 1.5}\n", "edgepack.yaml:2:24: 'deployment.replicas' must be a whole number"),
        ("name: demo\n", "name: demo\ndeployment: {cpus: fast}\n", "edgepack.yaml:2:20: 'deployment.cpus' must be a number, got 'fast'"),
        ("name: demo\n", "name: demo\ndeployment: {accel: tpu}\n", "edgepack.yaml:2:21: unknown accel 'tpu'"),
        ("name: demo\n", "name: demo\ndeployment: [1]\n", "edgepack.yaml:2:13: deployment must be a mapping, got a list"),
        ("framework: onnx", "framework: keras", "edgepack.yaml:7:16: unknown framework 'keras'"),
        ("framework: onnx", "framework: onnx\n    runtime: wasm", "edgepack.yaml:8:14: unknown runtime 'wasm'"),
        ("path: model.onnx", "path: missing.onnx", "edgepack.yaml:6:11: model path 'missing.onnx' does not exist"),
        ("  - model: m", "  - model: ghost", "edgepack.yaml:9:12: steps[0] names model 'ghost', which is not defined in 'models'"),
        ("steps:\n  - model: m", "steps: []", "edgepack.yaml:8:8: 'steps' must list at least one step"),
        ("  image: ghcr.io/acme/engine:v1", "  image: 'not an image'", "edgepack.yaml:3:10: engine.image 'not an image' is not an image reference"),
        ("framework: onnx", "framework: onnx\n    input_schema: {x: 'list<int64'}", "edgepack.yaml:8:23: 'models[0].input_schema.x' is not a valid Arrow type 'list<int64': expected '>'"),
        ("framework: onnx", "framework: onnx\n    output_schema: {y: tensor}", "edgepack.yaml:8:24: 'models[0].output_schema.y' is not a valid Arrow type 'tensor': unknown Arrow type 'tensor'"),
        ("framework: onnx", "framework: onnx\n    version: abc", "edgepack.yaml:8:14: 'models[0].version' must be a UUID"),
        ("  - model: m", "  - model: m\n    shadow: {champion: m, challengers: [m]}", "edgepack.yaml:9:5: steps[0] must have exactly one of 'model', 'models', 'shadow', 'split', 'key_split', 'select', 'audit' or 'multi_out'"),
        ("  - model: m", "  - split: {key: session, weights: {m: 0}}", "edgepack.yaml:9:40: 'steps[0].split.weights.m' must be greater than 0, got 0"),
        ("  - model: m", "  - shadow: {champion: m}", "edgepack.yaml:9:13: missing required key 'steps[0].shadow.challengers'"),
        ("  image: ghcr.io/acme/engine:v1\n", "  image: ghcr.io/acme/engine:v1\n  image: again\n", "edgepack.yaml:4:3: duplicate key 'image' (first at line 3)"),
        ("name: demo\n", "name: [demo\n", "edgepack.yaml:2:7: invalid YAML"),
    ])
    func reportsMistakesWithTheirPosition(original: String, replacement: String, expected: String) throws {
        let yaml = minimal.replacingOccurrences(of: original, with: replacement)
        let found = try messages(yaml)
        #expect(found.contains { $0.hasPrefix(expected) }, "got: \(found)")
    }

    @Test func duplicateModelNamesPointAtTheFirst() throws {
        let yaml = minimal.replacingOccurrences(of: "steps:", with: "  - name: m\n    path: model.onnx\n    framework: onnx\nsteps:")
        #expect(try messages(yaml) == ["edgepack.yaml:8:11: duplicate model 'm' (first defined at line 5)"])
    }

    /// A misspelt required key is one mistake: one line, with the suggestion, and no "missing" line for it.
    @Test(arguments: [
        ("steps:", "setps:", ["edgepack.yaml:8:1: unknown key 'setps'; did you mean 'steps'?"]),
        ("framework: onnx", "framwork: onnx", ["edgepack.yaml:7:5: unknown key 'models[0].framwork'; did you mean 'framework'?"]),
        ("  image: ghcr.io", "  imgae: ghcr.io", ["edgepack.yaml:3:3: unknown key 'engine.imgae'; did you mean 'image'?"]),
    ])
    func aMisspeltRequiredKeyIsOneLineWithItsSuggestion(original: String, replacement: String, expected: [String]) throws {
        #expect(try messages(minimal.replacingOccurrences(of: original, with: replacement)) == expected)
    }

    @Test func missingRequiredFieldsAreAllReported() throws {
        let found = try messages("models:\n  - path: model.onnx\nsteps:\n  - model: m\n")
        #expect(found.contains("edgepack.yaml:1:1: missing required key 'name'"))
        #expect(found.contains("edgepack.yaml:1:1: missing required key 'engine'"))
        #expect(found.contains { $0.hasPrefix("edgepack.yaml:2:5: missing required key 'models[0].name'") })
        #expect(found.contains { $0.hasPrefix("edgepack.yaml:2:5: missing required key 'models[0].framework'") })
    }

    @Test func reportsEveryErrorInFileOrder() throws {
        let found = try messages(String(contentsOfFile: fixture("broken/many-errors.yaml"), encoding: .utf8))
        #expect(found.count >= 12)
        let lines = found.map { Int($0.split(separator: ":")[1])! }
        #expect(lines == lines.sorted())
    }

    @Test func unreadableModelFileIsReported() throws {
        guard getuid() != 0 else { return }  // root reads everything; the check cannot be provoked
        let dir = try TemporaryDirectory()
        let path = try dir.write("model.onnx", "x")
        chmod(path, 0)
        #expect(throws: DefinitionError.self) { try DefinitionLoader.parse(minimal, file: "e.yaml", baseDirectory: dir.path) }
    }

    @Test func missingDefinitionFileIsOneClearError() {
        #expect(throws: Error.self) { try DefinitionLoader.load(path: "/nonexistent/edgepack.yaml") }
    }
}
