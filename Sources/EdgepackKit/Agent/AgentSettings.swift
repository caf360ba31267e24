import Foundation
import OCIKit

/// What one agent follows and how it applies it.
public struct AgentSettings: Sendable {
    public var layout: RegistryLayout
    public var pipeline: String
    public var channel: String
    public var site: String
    /// Versions kept for rollback (the running one included).
    public var keep: Int
    /// With a key, a version whose signatures do not verify is refused.
    public var verification: (key: VerificationKey, name: String)?
    public var healthURL: String?
    public var healthTimeout: TimeInterval

    public init(layout: RegistryLayout, pipeline: String, channel: String, site: String, keep: Int = 3,
                verification: (key: VerificationKey, name: String)? = nil, healthURL: String? = nil, healthTimeout: TimeInterval = 60) {
        self.layout = layout
        self.pipeline = pipeline
        self.channel = channel
        self.site = site
        self.keep = keep
        self.verification = verification
        self.healthURL = healthURL
        self.healthTimeout = healthTimeout
    }

    var repository: Repository { PipelineRepositories(layout: layout, pipeline: pipeline).pipelines }

    func pinnedReference(_ digest: String) -> String { "\(layout.prefix)/pipelines/\(pipeline)@\(digest)" }

    /// The engine's port on this host, where an engine started by the record's run command answers.
    static func engineHealthURL(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        "http://127.0.0.1:\(environment["EDGE_PORT"].flatMap(Int.init) ?? 8080)/pipelines"
    }
}
