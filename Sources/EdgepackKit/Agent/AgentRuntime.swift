import Foundation
import OCIKit

/// One version as the agent applies it: pulled into `folder`, pinned to its pipeline digest.
public struct AgentVersion: Sendable, Equatable {
    public var version: String
    public var digest: String
    public var folder: String
    /// `PREFIX/pipelines/NAME@sha256:…`: what an engine is told to run, never the moving channel tag.
    public var pinnedReference: String
}

/// How a version is started at the site. Starting again the version that ran before is how a rollback happens.
public protocol AgentRuntime: Sendable {
    /// Starts `version` (replacing whatever this runtime started before); throws when it cannot start.
    func start(_ version: AgentVersion) throws
    /// Where the engine answers when no health URL is given.
    func defaultHealthURL(for version: AgentVersion) -> String?
    /// Whether `start` returns only once the version is healthy (helm's `--wait`): then no health URL is polled
    /// unless one is given.
    var waitsForHealth: Bool { get }
}

extension AgentRuntime {
    public var waitsForHealth: Bool { false }
}

/// `--runtime command`: a shell command run with `EDGEPACK_VERSION`, `EDGEPACK_DIGEST`, `EDGEPACK_DIR` (the
/// version's folder) and `EDGEPACK_PIPELINE_URL` (pinned by digest) set; it must exit 0.
public struct CommandRuntime: AgentRuntime {
    public let command: String

    public init(command: String) {
        self.command = command
    }

    public func start(_ version: AgentVersion) throws {
        let environment = ["EDGEPACK_VERSION": version.version, "EDGEPACK_DIGEST": version.digest, "EDGEPACK_DIR": version.folder,
                           "EDGEPACK_PIPELINE_URL": version.pinnedReference]
        let status = try ChildProcess.run("/bin/sh", ["-c", command], environment: environment)
        guard status == 0 else {
            throw OCIError(.unsupported, "the apply command exited with status \(status) for version \(version.version)")
        }
    }

    public func defaultHealthURL(for version: AgentVersion) -> String? { nil }
}
