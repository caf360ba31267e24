import Foundation
import Testing
import TestSupport

/// `agent --runtime podman` with the stand-in engine: each version started by the record's run command pinned to
/// its digest; a version whose engine cannot start is rolled back and the previous engine answers again.
@Suite struct AgentPodmanTests {
    /// Publishes `edge` (a new random model) with `engine` as its engine image to prod; returns the model's digest.
    func publish(_ project: TemporaryDirectory, engine: String, registry: String) throws -> (record: ChannelRecord, model: String) {
        let definition = try randomModelsPipeline([4096], named: "edge", in: project)
        let text = try String(contentsOfFile: definition, encoding: .utf8).replacingOccurrences(of: "ghcr.io/acme/engine:v1", with: engine)
        try text.write(toFile: definition, atomically: true, encoding: .utf8)
        let published = try edgepack(["publish", definition, "--registry", registry, "--channel", "prod", "--json", "-q"], environment: pusher)
        guard published.succeeded else { throw TestFailure("publish: \(published.stderr)") }
        struct Models: Decodable { struct Model: Decodable { var digest: String }; var models: [Model] }
        let model = try JSONDecoder().decode(Models.self, from: Data(published.stdout.utf8)).models[0].digest
        return (try JSONDecoder().decode(ChannelRecord.self, from: Data(published.stdout.utf8)), String(model.dropFirst("sha256:".count)))
    }

    @Test func podmanRuntimeAppliesEachVersionAndRollsBackAnEngineThatCannotStart() throws {
        guard let (sandbox, image) = try PodmanRunTests().readySandbox() else { return }
        let registry = "\(registries.token)/agentpodman\(UUID().uuidString.prefix(6).lowercased())"
        let project = try TemporaryDirectory()
        let state = project.file("state")
        let environment = sandbox.environment.merging(pusher) { $1 }.merging(["EDGE_PORT": "\(sandbox.enginePort)"]) { $1 }
        let agent = {
            try edgepack(["agent", "--once", "--registry", registry, "--pipeline", "edge", "--channel", "prod", "--state", state,
                          "--site", "podman-site", "--runtime", "podman", "--health-timeout", "90s"], environment: environment)
        }
        let servedModel = { () throws -> String in
            let answer = try #require(try sandbox.engineAnswer("models", timeout: 10))
            struct Models: Decodable { struct Model: Decodable { var sha: String }; var models: [Model] }
            return try JSONDecoder().decode(Models.self, from: answer).models.first?.sha ?? ""
        }
        let pipelineURL = { () throws -> String in
            let env = try sandbox.podman(["inspect", "--format", "{{range .Config.Env}}{{println .}}{{end}}", "edgepack-edge"]).stdout
            return env.split(separator: "\n").first { $0.hasPrefix("PIPELINE_URL=") }.map { String($0.dropFirst("PIPELINE_URL=".count)) } ?? ""
        }

        let v1 = try publish(project, engine: image.reference, registry: registry)
        let first = try agent()
        #expect(first.succeeded, "\(first.stderr)")
        #expect(try servedModel() == v1.model)
        #expect(try pipelineURL() == "\(registry)/pipelines/edge@\(v1.record.pipeline_digest)", "pinned to the digest, not prod")

        let v2 = try publish(project, engine: image.reference, registry: registry)
        let second = try agent()
        #expect(second.succeeded, "\(second.stderr)")
        #expect(try servedModel() == v2.model, "the container was replaced")
        #expect(try sandbox.podman(["ps", "-a", "--format", "{{.Names}}"]).stdout.split(separator: "\n") == ["edgepack-edge"])

        // v3's engine image does not exist: podman cannot start it; v2 is started again.
        let v3 = try publish(project, engine: "\(registries.token)/standin/engine:missing", registry: registry)
        let third = try agent()
        #expect(third.succeeded, "the site ends on v2: \(third.stderr)")
        #expect(third.stderr.contains("rolled-back"), "\(third.stderr)")
        #expect(try servedModel() == v2.model)
        #expect(try pipelineURL() == "\(registry)/pipelines/edge@\(v2.record.pipeline_digest)")
        let status = try edgepack(["agent", "status", "--state", state]).stdout
        #expect(status.contains("\"rolled-back\"") && status.contains(v3.record.pipeline_version), "\(status)")
        #expect(!status.contains("edgepack-pass"))
    }

    /// `--runtime compose` through podman-compose: the version's published compose.yaml with PIPELINE_URL pinned by
    /// an override (and the test's own host-network override, as a site's own file): v1, v2, and v3 rolled back.
    @Test func composeRuntimeAppliesEachVersionAndRollsBackAnEngineThatCannotStart() throws {
        guard let (sandbox, image) = try PodmanRunTests().readySandbox() else { return }
        let registry = "\(registries.token)/agentcompose\(UUID().uuidString.prefix(6).lowercased())"
        let project = try TemporaryDirectory()
        let state = project.file("state")
        let hostNetwork = try project.write("host-network.yaml", "services:\n  engine:\n    network_mode: host\n")
        let environment = sandbox.environment.merging(pusher) { $1 }
        let agent = {
            try edgepack(["agent", "--once", "--registry", registry, "--pipeline", "edge", "--channel", "prod", "--state", state,
                          "--site", "compose-site", "--runtime", "compose", "--compose-tool", "python3 -m podman_compose --in-pod=false",
                          "--compose-override", hostNetwork, "--health-url", "http://127.0.0.1:\(sandbox.enginePort)/pipelines",
                          "--health-timeout", "90s"], environment: environment)
        }
        let servedModel = { () throws -> String in
            let answer = try #require(try sandbox.engineAnswer("models", timeout: 10))
            struct Models: Decodable { struct Model: Decodable { var sha: String }; var models: [Model] }
            return try JSONDecoder().decode(Models.self, from: answer).models.first?.sha ?? ""
        }
        defer { _ = try? sandbox.podman(["rm", "--force", "--all", "--time", "0"]) }

        let v1 = try publish(project, engine: image.reference, registry: registry)
        let first = try agent()
        #expect(first.succeeded, "\(first.stderr)")
        #expect(try servedModel() == v1.model)
        let pinned = try String(contentsOfFile: "\(state)/versions/\(v1.record.pipeline_version)/agent-override.yaml", encoding: .utf8)
        #expect(pinned.contains("\(registry)/pipelines/edge@\(v1.record.pipeline_digest)"))

        let v2 = try publish(project, engine: image.reference, registry: registry)
        let second = try agent()
        #expect(second.succeeded, "\(second.stderr)")
        #expect(try servedModel() == v2.model)

        _ = try publish(project, engine: "\(registries.token)/standin/engine:missing", registry: registry)
        let third = try agent()
        #expect(third.succeeded && third.stderr.contains("rolled-back"), "\(third.stderr)")
        #expect(try servedModel() == v2.model)
    }
}
