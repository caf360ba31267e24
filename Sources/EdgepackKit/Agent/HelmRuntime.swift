import Foundation
import OCIKit

/// `--runtime helm`: the version's published chart (`charts/NAME:0.0.1-VERSION`, its signature checked with
/// `--verify-key`) written to `STATE/versions/VERSION/chart.tgz`, with `agent-values.yaml` beside it pinning
/// `engine.pipelineUrl` to the version's digest, installed with `helm upgrade --install --atomic --wait --timeout
/// HEALTH_TIMEOUT edgepack-NAME chart.tgz -f agent-values.yaml`. Helm's `--wait` is the health check (the chart's
/// readiness probe), and `--atomic` undoes a failed upgrade in the cluster; the agent then starts the previous
/// version again as for any runtime.
public struct HelmRuntime: AgentRuntime {
    public let tool: [String]
    public let layout: RegistryLayout
    public let pipeline: String
    public let client: RegistryClient
    public let verification: (key: VerificationKey, name: String)?
    /// `ociRegistry.username` / `password` for the chart's Secrets: written to a 0600 values file for the time
    /// helm runs, never on its command line.
    public let engineCredentials: [String: String]
    public let timeout: TimeInterval
    public let namespace: String?
    public let kubeContext: String?

    public init(tool: [String], layout: RegistryLayout, pipeline: String, client: RegistryClient, verification: (key: VerificationKey, name: String)?,
                engineCredentials: [String: String], timeout: TimeInterval, namespace: String? = nil, kubeContext: String? = nil) {
        self.tool = tool
        self.layout = layout
        self.pipeline = pipeline
        self.client = client
        self.verification = verification
        self.engineCredentials = engineCredentials
        self.timeout = timeout
        self.namespace = namespace
        self.kubeContext = kubeContext
    }

    static let maxChartSize: Int64 = 8 << 20

    public var waitsForHealth: Bool { true }

    public func defaultHealthURL(for version: AgentVersion) -> String? { nil }

    public func start(_ version: AgentVersion) throws {
        let chart = version.folder + "/chart.tgz"
        if !FileManager.default.fileExists(atPath: chart) {
            let tag = RegistryLayout.chartVersion(version.version)
            let bytes = try VersionArtifact(client: client, verification: verification)
                .fetch(PipelineRepositories(layout: layout, pipeline: pipeline).charts, tag: tag, identity: "charts/\(pipeline)",
                       mediaType: MediaType.Helm.chartContent, maxSize: Self.maxChartSize, what: "Helm chart")
            try AtomicFile.write(Data(bytes), to: chart)
        }
        let values = version.folder + "/agent-values.yaml"
        try AtomicFile.write(Data("engine:\n  pipelineUrl: '\(version.pinnedReference)'\n".utf8), to: values)
        var files = [values]
        let credentials = version.folder + "/agent-credentials.yaml"
        defer { try? FileManager.default.removeItem(atPath: credentials) }
        if let username = engineCredentials["OCI_USERNAME"], let password = engineCredentials["OCI_PASSWORD"] {
            // JSON strings are YAML strings: any password is quoted right.
            let text = "ociRegistry:\n  username: \(try Self.quoted(username))\n  password: \(try Self.quoted(password))\n"
            try AtomicFile.write(Data(text.utf8), to: credentials, permissions: 0o600)
            files.append(credentials)
        }
        guard let program = tool.first else { throw OCIError(.unsupported, "no helm command to run") }
        let arguments = Array(tool.dropFirst()) + ["upgrade", "--install", "--atomic", "--wait", "--timeout", "\(Int(timeout.rounded(.up)))s"]
            + (namespace.map { ["--namespace", $0] } ?? []) + (kubeContext.map { ["--kube-context", $0] } ?? [])
            + ["edgepack-\(pipeline)", chart] + files.flatMap { ["-f", $0] }
        let log = version.folder + "/helm.log"
        let status = try ChildProcess.run(program, arguments, outputFile: log)
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        FileHandle.standardError.write(Data(output.utf8))
        guard status == 0 else {
            let lines = output.split(whereSeparator: \.isNewline).map(String.init)
            let cause = lines.last { $0.hasPrefix("Error:") } ?? lines.last ?? ""
            throw OCIError(.unsupported, "\(tool.joined(separator: " ")) upgrade exited with status \(status) for version \(version.version)"
                + (cause.isEmpty ? "" : ": \(cause)"))
        }
    }

    private static func quoted(_ text: String) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        return String(decoding: try encoder.encode(text), as: UTF8.self)
    }
}
