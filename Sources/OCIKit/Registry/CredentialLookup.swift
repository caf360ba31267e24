/// Where `CredentialResolver` found a registry's credential, or everywhere it looked: the facts an auth failure
/// is explained with. Never holds a secret in its description.
public struct CredentialLookup: Sendable {
    public enum Source: Sendable, Equatable {
        /// Given by the caller (on its command line, say).
        case explicit
        /// From a pair of environment variables.
        case environment(username: String, password: String)
        /// From the `auths` entry of docker's config.json at this path.
        case dockerConfig(path: String)
        /// From a `docker-credential-NAME` helper named in docker's config.json.
        case credentialHelper(String)
    }

    public let host: String
    /// The pairs of environment variables read, in order of precedence.
    public let variables: [CredentialVariables]
    public private(set) var credential: Credential = .anonymous
    /// Nil when nothing was found (anonymous).
    public private(set) var source: Source?
    public let dockerConfigPath: String
    /// The credential helper docker's config.json names for this host, if any (consulted when nothing came first).
    public internal(set) var helper: String?
    /// A docker config entry for the same port under another loopback name (`localhost:5000` for
    /// `127.0.0.1:5000`): the likely reason nothing was found.
    public internal(set) var loopbackAlias: String?

    init(host: String, variables: [CredentialVariables], dockerConfigPath: String) {
        self.host = host
        self.variables = variables
        self.dockerConfigPath = dockerConfigPath
    }

    mutating func found(_ credential: Credential, in source: Source) {
        self.credential = credential
        self.source = source
    }
}
