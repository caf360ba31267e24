import Foundation
import OCIKit

/// `--runtime compose`: the version's published compose file (`compose/NAME:VERSION`, its signature checked with
/// `--verify-key`) written to `STATE/versions/VERSION/compose.yaml`, with an override pinning `PIPELINE_URL` to the
/// version's digest, brought up with `TOOL -p edgepack-NAME -f compose.yaml -f agent-override.yaml [-f SITE…] up
/// -d --force-recreate` (TOOL: `podman-compose`, or `docker compose`).
public struct ComposeRuntime: AgentRuntime {
    public let tool: [String]
    public let layout: RegistryLayout
    public let pipeline: String
    public let client: RegistryClient
    public let verification: (key: VerificationKey, name: String)?
    /// The site's own compose files, applied last (networks, volumes, ports that only this site knows).
    public let siteOverrides: [String]
    public let engineCredentials: [String: String]
    public let port: Int

    public init(tool: [String], layout: RegistryLayout, pipeline: String, client: RegistryClient, verification: (key: VerificationKey, name: String)?,
                siteOverrides: [String], engineCredentials: [String: String], port: Int) {
        self.tool = tool
        self.layout = layout
        self.pipeline = pipeline
        self.client = client
        self.verification = verification
        self.siteOverrides = siteOverrides
        self.engineCredentials = engineCredentials
        self.port = port
    }

    static let maxComposeSize: Int64 = 1 << 20

    public func start(_ version: AgentVersion) throws {
        let composeFile = version.folder + "/compose.yaml"
        if !FileManager.default.fileExists(atPath: composeFile) {
            try AtomicFile.write(Data(try fetchComposeFile(version)), to: composeFile)
        }
        let override = version.folder + "/agent-override.yaml"
        try AtomicFile.write(Data("services:\n  engine:\n    environment:\n      PIPELINE_URL: '\(version.pinnedReference)'\n".utf8), to: override)
        guard let program = tool.first else { throw OCIError(.unsupported, "no compose tool to run") }
        let files = ([composeFile, override] + siteOverrides).flatMap { ["-f", $0] }
        let arguments = Array(tool.dropFirst()) + ["-p", "edgepack-\(pipeline)"] + files + ["up", "-d", "--force-recreate"]
        let status = try ChildProcess.run(program, arguments, environment: engineCredentials, outputToStderr: true)
        guard status == 0 else {
            throw OCIError(.unsupported, "\(tool.joined(separator: " ")) up exited with status \(status) for version \(version.version)")
        }
    }

    public func defaultHealthURL(for version: AgentVersion) -> String? { "http://127.0.0.1:\(port)/pipelines" }

    private func fetchComposeFile(_ version: AgentVersion) throws -> [UInt8] {
        try VersionArtifact(client: client, verification: verification)
            .fetch(PipelineRepositories(layout: layout, pipeline: pipeline).compose, tag: version.version, identity: "compose/\(pipeline)",
                   mediaType: MediaType.Compose.file, maxSize: Self.maxComposeSize, what: "compose file")
    }
}
