import Synchronization
import Foundation
import OCIKit

/// Where a definition came from: its git commit and whether the work tree had changes, and the CI run that
/// built it (from the variables CI systems set; only the known, non-secret ones are read). Every value that may be a URL
/// (the remote, each CI variable) is redacted: no `user:password@`, no credential query parameter reaches a provenance.
public struct SourceInfo: Sendable, Equatable {
    public var gitCommit: String?
    public var gitDirty: Bool?
    /// The `origin` remote, without any user or password or credential query parameter in it.
    public var gitRemote: String?
    /// The CI variables found, by name.
    public var ci: [String: String]
    /// A URL (or id) of the CI run, when one is known.
    public var invocationID: String?
    /// The definition as its repository names it (`deploy/edgepack.yaml`), or its file name outside git: never
    /// where the checkout happens to be, so the provenance is the same in every checkout.
    public var definitionPath: String

    static let ciVariables = [
        "GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID", "GITHUB_RUN_ATTEMPT", "GITHUB_WORKFLOW_REF", "GITHUB_SHA", "GITHUB_REF",
        "CI_SERVER_URL", "CI_PROJECT_PATH", "CI_PIPELINE_ID", "CI_PIPELINE_URL", "CI_JOB_ID", "CI_JOB_URL", "CI_COMMIT_SHA",
        "BUILDKITE_BUILD_URL", "BUILDKITE_BUILD_ID", "BUILD_URL", "BUILD_ID", "CIRCLE_BUILD_URL", "TF_BUILD", "BUILD_BUILDID",
    ]

    public static func detect(definitionPath: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> SourceInfo {
        let directory = (definitionPath as NSString).deletingLastPathComponent
        let repository = GitCheckout.describe(directory.isEmpty ? "." : directory)
        var ci: [String: String] = [:]
        for name in ciVariables { if let value = environment[name], !value.isEmpty { ci[name] = RedactedURL.redacting(value) } }
        let name = (definitionPath as NSString).lastPathComponent
        return SourceInfo(gitCommit: repository.commit, gitDirty: repository.dirty, gitRemote: repository.remote, ci: ci, invocationID: invocation(ci),
                          definitionPath: (repository.prefix ?? "") + name)
    }

    static func invocation(_ ci: [String: String]) -> String? {
        if let server = ci["GITHUB_SERVER_URL"], let repository = ci["GITHUB_REPOSITORY"], let run = ci["GITHUB_RUN_ID"] {
            return "\(server)/\(repository)/actions/runs/\(run)" + (ci["GITHUB_RUN_ATTEMPT"].map { "/attempts/\($0)" } ?? "")
        }
        return ci["CI_JOB_URL"] ?? ci["CI_PIPELINE_URL"] ?? ci["CI_PIPELINE_ID"] ?? ci["BUILDKITE_BUILD_URL"] ?? ci["BUILD_URL"] ?? ci["CIRCLE_BUILD_URL"] ?? ci["BUILD_BUILDID"]
    }

    static func git(_ arguments: [String], in directory: String) -> String? {
        guard let (status, text) = ChildProcess.output("git", ["-C", directory] + arguments), status == 0 else { return nil }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// What git says of the checkout a folder is in, asked once per folder in a process (a publish asks for its
/// provenance and for its record).
enum GitCheckout {
    struct Description: Sendable {
        var commit: String?, dirty: Bool?, remote: String?, prefix: String?
    }

    private static let described = Mutex<[String: Description]>([:])

    static func describe(_ folder: String) -> Description {
        if let known = described.withLock({ $0[folder] }) { return known }
        let commit = SourceInfo.git(["rev-parse", "HEAD"], in: folder)
        var description = Description(commit: commit)
        if commit != nil {
            description.dirty = SourceInfo.git(["status", "--porcelain", "--untracked-files=no"], in: folder).map { !$0.isEmpty }
            description.remote = SourceInfo.git(["config", "--get", "remote.origin.url"], in: folder).map(RedactedURL.redacting)
            description.prefix = SourceInfo.git(["rev-parse", "--show-prefix"], in: folder)
        }
        described.withLock { $0[folder] = description }
        return description
    }
}
