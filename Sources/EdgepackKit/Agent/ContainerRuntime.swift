import Foundation
import OCIKit

/// `--runtime podman|docker`: the record's run command (`podman_run` / `docker_run`, see DeployCommands) as
/// words, never through a shell: `run -d --replace --name edgepack-NAME -p PORT:8080`, the credentials passed by
/// name from the environment (never on the command line), `PIPELINE_URL` pinned to the version's digest,
/// `OCI_REGISTRY`, `CONFIG_CPUS`, GPU flags, `--cpus`, `--memory`, and the engine image (its mirror in
/// `PREFIX/engine` by digest when the registry has one).
public struct ContainerRuntime: AgentRuntime {
    public enum Tool: String, Sendable { case podman, docker }

    public let tool: Tool
    public let layout: RegistryLayout
    public let pipeline: String
    public let client: RegistryClient
    /// `OCI_USERNAME` and `OCI_PASSWORD` for the engine, when the agent's own came from elsewhere than the
    /// environment (they go to the tool's environment, which `-e NAME` copies into the container).
    public let engineCredentials: [String: String]
    public let port: Int
    /// With a key, the engine mirror's digest is run only when the key signed it (the registry picks what the tag names).
    public let verification: (key: VerificationKey, name: String)?

    public init(tool: Tool, layout: RegistryLayout, pipeline: String, client: RegistryClient, engineCredentials: [String: String], port: Int,
                verification: (key: VerificationKey, name: String)? = nil) {
        self.verification = verification
        self.tool = tool
        self.layout = layout
        self.pipeline = pipeline
        self.client = client
        self.engineCredentials = engineCredentials
        self.port = port
    }

    public func start(_ version: AgentVersion) throws {
        let arguments = try runArguments(version)
        let status = try ChildProcess.run(tool.rawValue, arguments, environment: engineCredentials, outputToStderr: true)
        guard status == 0 else {
            throw OCIError(.unsupported, "\(tool.rawValue) run exited with status \(status) for version \(version.version)")
        }
    }

    public func defaultHealthURL(for version: AgentVersion) -> String? { "http://127.0.0.1:\(port)/pipelines" }

    func runArguments(_ version: AgentVersion) throws -> [String] {
        let data = try Data(contentsOf: URL(fileURLWithPath: version.folder + "/pipeline.json"))
        let config = try CanonicalJSON.decode(PipelineConfig.self, from: Array(data), what: "the pipeline config of \(version.version)")
        let totals = RunTotals(config.engineConfig)
        let gpu = totals.gpuFlags(podman: tool == .podman).flatMap { $0.split(separator: " ").map(String.init) }
        return ["run", "-d", "--replace", "--name", "edgepack-\(pipeline)", "-p", "\(port):8080",
                "-e", "OCI_USERNAME", "-e", "OCI_PASSWORD", "-e", "OCI_REGISTRY=\(layout.host)", "-e", "PIPELINE_URL=\(version.pinnedReference)",
                "-e", "CONFIG_CPUS=\(totals.configCPUs)"] + gpu + ["--cpus=\(totals.cpusText)", "--memory=\(totals.memoryText)", try engineImage(version)]
    }

    /// The engine's mirror under the prefix, by digest, when there is one; else the image the pipeline names.
    func engineImage(_ version: AgentVersion) throws -> String {
        let (manifest, _) = try client.fetchManifest(.digest(try Digest(parsing: version.digest)), in: PipelineRepositories(layout: layout, pipeline: pipeline).pipelines)
        guard let image = manifest.annotations?[EdgepackAnnotation.engineImage], (try? ImageReference(parsing: image)) != nil else {
            throw OCIError(.invalidLayout, "version \(version.version) names no engine image; it was not published by edgepack")
        }
        let path = Publisher.split(layout).path
        let mirror = Repository(unchecked: path).appending("engine")
        // An image pinned by digest is that digest wherever it is stored; a tag is whatever the registry says now.
        let pinned = try? ImageReference(parsing: image).digest
        let mirrored = pinned.flatMap { digest in (try? client.manifestDigest(.digest(digest), in: mirror)).flatMap { $0 } }
            ?? (try? client.manifestDigest(.tag(PipelineImage.mirrorTag(of: image)), in: mirror)).flatMap { $0 }
        guard let digest = mirrored else { return image }
        if let (key, name) = verification, digest != pinned {
            _ = try CosignVerifier(source: client, key: key, keyName: name).verify(digest, in: mirror.path, identity: "engine")
        }
        return "\(layout.prefix)/engine@\(digest)"
    }
}
