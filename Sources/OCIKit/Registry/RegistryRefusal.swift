/// Why a registry refused a request, as facts: which host, what was being done, as whom. OCIKit names no
/// command or flag; a caller turns these into advice (log in, set variables, pick another account).
public struct RegistryRefusal: Sendable, Equatable {
    public enum Reason: String, Sendable {
        /// No credentials were sent and the registry wants some.
        case credentialsNeeded
        /// The credentials sent were refused (wrong username or password, or an expired token).
        case credentialsRejected
        /// The credentials were accepted but the account lacks the permission.
        case accessDenied
    }

    public var reason: Reason
    public var host: String
    /// What was refused, e.g. "push blob sha256:…" (nil when the refusal came before any request of ours).
    public var action: String?
    /// As whom: "anonymous", "user NAME", "an identity token".
    public var account: String

    public init(reason: Reason, host: String, action: String?, account: String) {
        self.reason = reason
        self.host = host
        self.action = action
        self.account = account
    }

    /// The reason for an auth failure given the credential used: without one, credentials are what is missing.
    static func reason(_ credential: Credential, otherwise: Reason) -> Reason {
        credential == .anonymous ? .credentialsNeeded : otherwise
    }
}
