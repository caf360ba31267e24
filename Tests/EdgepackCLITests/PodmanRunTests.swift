import Foundation
import Testing
import TestSupport

/// The stand-in engine (scripts/standin-engine) as an image built offline from this machine's own files
/// (scripts/make-standin-engine), pushed once per test process into the token registry, where a published
/// pipeline's `engine.image` names it (publish may also mirror it into PREFIX/engine:TAG: the same registry).
struct StandinEngineImage: Sendable {
    /// `oci:DIR:TAG`, for probing podman without a registry.
    let layout: String
    /// `HOST/REPO:TAG` in the token registry.
    let reference: String

    static let shared: Result<StandinEngineImage, TestFailure> = {
        let directory = NSTemporaryDirectory() + "edgepack-standin-engine-\(getpid())"
        let reference = "\(registries.token)/standin/engine:v1"
        let python = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? ["--python", "/usr/bin/python3"] : []
        atexit { try? FileManager.default.removeItem(atPath: NSTemporaryDirectory() + "edgepack-standin-engine-\(getpid())") }
        do {
            let made = try run(repositoryRoot + "/scripts/make-standin-engine", ["--out", directory, "--push", reference,
                                                                               "--creds", "edgepack:edgepack-pass", "--tls-verify", "false"] + python)
            guard made.succeeded else { return .failure(TestFailure("make-standin-engine: \(made.stderr)")) }
            return .success(StandinEngineImage(layout: "oci:\(directory):v1", reference: reference))
        } catch {
            return .failure(TestFailure("make-standin-engine: \(error)"))
        }
    }()
}

/// What the engine answers, in Wallaroo's engine's JSON.
private struct EnginePipelines: Decodable, Equatable {
    struct Pipeline: Decodable, Equatable { var id: String; var status: String }
    var pipelines: [Pipeline]
}

private struct EngineModels: Decodable, Equatable {
    struct Model: Decodable, Equatable, Hashable { var name: String; var sha: String; var status: String; var version: String }
    var models: [Model]
}

/// Podman, for real: the printed `podman_run` and the published compose.yaml (through podman-compose) start the
/// stand-in engine, which authenticates to the registry, fetches and verifies the pipeline and every model, and
/// answers GET /pipelines and GET /models with what was published.
@Suite struct PodmanRunTests {
    /// A sandbox whose podman can run the stand-in image, with the image pushed and podman logged in; the test is
    /// cancelled (skipped) only when podman itself cannot run a container from a local image on this machine.
    func readySandbox() throws -> (PodmanSandbox, StandinEngineImage)? {
        #expect(isInstalled("podman"), "podman is not installed: run scripts/setup")
        guard isInstalled("podman") else { return nil }
        let image = try StandinEngineImage.shared.get()
        let sandbox = try PodmanSandbox(registries: [registries.token])
        switch try sandbox.probe(image.layout, arguments: ["--list-files"]) {
        case .runs: break
        case .cannotRunContainers(let reason): try Test.cancel("podman cannot run containers on this machine: \(reason)")
        case .failed(let reason):
            Issue.record("podman cannot run the stand-in image: \(reason)")
            return nil
        }
        try sandbox.login(registries.token, username: "edgepack", password: "edgepack-pass")
        return (sandbox, image)
    }

    /// ccfraud (two files and a directory model, a shadow and a split) with the stand-in as its engine, published
    /// under a prefix of its own (with `flags` added to publish).
    func publishStandin(_ image: StandinEngineImage, into dir: TemporaryDirectory, flags: [String] = []) throws -> Record {
        let definition = try copyFixture("ccfraud", into: dir) + "/edgepack.yaml"
        let original = try String(contentsOfFile: definition, encoding: .utf8)
        try original.replacingOccurrences(of: "ghcr.io/wallaroolabs/doc-samples/engine:v2023.3.0-main-3731", with: image.reference)
            .write(toFile: definition, atomically: true, encoding: .utf8)
        let prefix = "\(registries.token)/podman/\(UUID().uuidString.prefix(8).lowercased())"
        let result = try edgepack(["publish", definition, "--registry", prefix, "--json", "-q"] + flags, environment: pusher)
        guard result.succeeded else { throw TestFailure("publish: \(result.stderr)") }
        return try JSONDecoder().decode(Record.self, from: Data(result.stdout.utf8))
    }

    private func expectEngineAnswers(_ sandbox: PodmanSandbox, _ record: Record, stillRunning: () -> Bool, log: () -> String) throws {
        let pipelines = try #require(try sandbox.engineAnswer("pipelines", stillRunning: stillRunning), "the engine never answered: \(log())")
        #expect(try JSONDecoder().decode(EnginePipelines.self, from: pipelines) == EnginePipelines(pipelines: [.init(id: record.pipeline_name, status: "Running")]))
        let models = try #require(try sandbox.engineAnswer("models"), "GET /models: \(log())")
        let expected = record.models.map { EngineModels.Model(name: $0.name, sha: String($0.digest.dropFirst("sha256:".count)), status: "Running", version: $0.version) }
        let answered = try JSONDecoder().decode(EngineModels.self, from: models).models
        #expect(Set(answered) == Set(expected) && answered.count == 3, "engine: \(answered), published: \(expected)")
    }

    @Test func printedPodmanRunStartsTheEngineAndItFindsThePipeline() throws {
        guard let (sandbox, image) = try readySandbox() else { return }
        let dir = try TemporaryDirectory()
        let record = try publishStandin(image, into: dir)
        #expect(record.podman_run.hasPrefix("podman run"))

        // The command exactly as printed, in a shell with the variables it names; it runs in the foreground.
        let environment = sandbox.environment.merging(["EDGE_PORT": "\(sandbox.enginePort)", "OCI_USERNAME": "edgepack", "OCI_PASSWORD": "edgepack-pass"]) { $1 }
        let logFile = dir.file("podman-run.log")
        let engine = try startShell(record.podman_run, environment: environment, output: logFile)
        defer { if engine.isRunning { engine.terminate() } }
        let log = { (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "" }
        try expectEngineAnswers(sandbox, record, stillRunning: { engine.isRunning }, log: log)
        #expect(log().contains("3 models verified"), "\(log())")

        // The engine really authenticates: the same command with a wrong password stops with the registry's refusal.
        _ = try sandbox.podman(["rm", "--force", "--all", "--time", "0"])
        engine.waitUntilExit()
        let refused = try runClosingInheritedDescriptors("timeout", ["120", "sh", "-c", record.podman_run], environment: environment.merging(["OCI_PASSWORD": "wrong"]) { $1 })
        #expect(!refused.succeeded)
        #expect(refused.stderr.contains("refused the credentials (401)"), "\(refused.stderr)")
        #expect(!refused.stderr.contains("wrong"), "no password in the engine's output")
    }

    @Test func publishedComposeFileStartsTheEngineThroughPodmanCompose() throws {
        guard let (sandbox, image) = try readySandbox() else { return }
        let dir = try TemporaryDirectory()
        let record = try publishStandin(image, into: dir)

        // compose.yaml as published (the layer of the compose artifact), plus the test's one change: host networking.
        let pulled = try run("skopeo", ["copy", "-q", "--src-tls-verify=false", "--src-creds", "reader:reader-pass", "docker://\(record.compose_url)", "dir:\(dir.file("compose-artifact"))"])
        #expect(pulled.succeeded, "\(pulled.stderr)")
        struct Manifest: Decodable { struct Layer: Decodable { var digest: String; var mediaType: String }; var layers: [Layer] }
        let manifest = try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: URL(fileURLWithPath: dir.file("compose-artifact/manifest.json"))))
        let layer = try #require(manifest.layers.first { $0.mediaType == "application/vnd.docker.compose.file+yaml" })
        let project = dir.file("project")
        try FileManager.default.createDirectory(atPath: project, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: dir.file("compose-artifact/" + layer.digest.dropFirst("sha256:".count)), toPath: project + "/compose.yaml")
        try dir.write("project/host-network.yaml", "services:\n  engine:\n    network_mode: host\n")

        let environment = sandbox.environment.merging(["OCI_USERNAME": "edgepack", "OCI_PASSWORD": "edgepack-pass"]) { $1 }
        let compose = ["-m", "podman_compose", "--in-pod=false", "-f", "compose.yaml", "-f", "host-network.yaml"]
        let up = try runClosingInheritedDescriptors("python3", compose + ["up", "-d"], environment: environment, directory: project)
        #expect(up.succeeded, "podman-compose up: \(up.stdout)\(up.stderr)")
        defer { _ = try? runClosingInheritedDescriptors("python3", compose + ["down", "-t", "0"], environment: environment, directory: project) }
        let log = { (try? sandbox.podman(["logs", "project_engine_1"]))?.stderr ?? "" }
        try expectEngineAnswers(sandbox, record, stillRunning: {
            (try? sandbox.podman(["inspect", "--format", "{{.State.Running}}", "project_engine_1"]))?.stdout.contains("true") ?? false
        }, log: log)
    }
}

/// Starts `sh -c COMMAND` (through `closingInheritedDescriptors`) without waiting; its output (both streams) goes to `output`.
func startShell(_ command: String, environment: [String: String], output: String) throws -> Process {
    let process = Process()
    let (launcher, arguments) = closingInheritedDescriptors("sh", ["-c", command])
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [launcher] + arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    guard FileManager.default.createFile(atPath: output, contents: nil) else { throw TestFailure("cannot create \(output)") }
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
    process.standardOutput = handle
    process.standardError = handle
    process.standardInput = FileHandle.nullDevice
    try process.run()
    return process
}
