import Foundation

/// Who publishes: `--created-by`, else `EDGEPACK_CREATED_BY`, else the CI's actor (from the variables CI systems
/// set), else git's `user.email`, else USER@host.
public enum PublishAuthor {
    /// CI variables naming the person (or bot) that started the run, in the order they are tried.
    static let ciActors = ["GITHUB_ACTOR", "GITLAB_USER_EMAIL", "GITLAB_USER_LOGIN", "BUILDKITE_BUILD_CREATOR_EMAIL",
                           "CIRCLE_USERNAME", "BITBUCKET_STEP_TRIGGERER_UUID", "BUILD_REQUESTEDFOREMAIL", "BUILD_USER_ID"]

    public static func resolve(explicit: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment,
                               gitEmail: () -> String? = PublishAuthor.gitEmail) -> String {
        if let explicit, !explicit.isEmpty { return explicit }
        if let named = environment["EDGEPACK_CREATED_BY"], !named.isEmpty { return named }
        for name in ciActors { if let actor = environment[name], !actor.isEmpty { return actor } }
        if let email = gitEmail(), !email.isEmpty { return email }
        let user = environment["USER"].flatMap { $0.isEmpty ? nil : $0 } ?? environment["LOGNAME"] ?? "unknown"
        return "\(user)@\(ProcessInfo.processInfo.hostName)"
    }

    /// `git config user.email` (as git sees it from the current directory), or nil (no git, not set).
    public static func gitEmail() -> String? {
        SourceInfo.git(["config", "--get", "user.email"], in: ".")
    }
}
