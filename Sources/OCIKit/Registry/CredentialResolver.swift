import Foundation

/// A pair of environment variables holding a username and its password.
public struct CredentialVariables: Sendable, Equatable {
    public var username: String
    public var password: String

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    /// `OCI_USERNAME`/`OCI_PASSWORD`.
    public static let oci = CredentialVariables(username: "OCI_USERNAME", password: "OCI_PASSWORD")
}

/// Where credentials come from, first match wins: explicit (flags), then the environment given (each pair of
/// `variables` in turn), then docker's config.json, else anonymous. The caller hands in the environment and
/// names the variables; nothing here reads the process environment.
public struct CredentialResolver: Sendable {
    public var explicit: Credential?
    public var environment: [String: String]
    /// The pairs read for a registry written to, in order of precedence.
    public var variables: [CredentialVariables]
    /// The pair read for a registry an image is copied from (nil: only docker's config.json).
    public var sourceVariables: CredentialVariables?
    public var dockerConfigPath: String

    public init(explicit: Credential? = nil, environment: [String: String], variables: [CredentialVariables] = [.oci],
                sourceVariables: CredentialVariables? = nil) {
        self.explicit = explicit
        self.environment = environment
        self.variables = variables
        self.sourceVariables = sourceVariables
        self.dockerConfigPath = DockerConfig.defaultPath(environment: environment)
    }

    public func credential(for host: String) throws -> Credential {
        try lookup(for: host).credential
    }

    /// The credential for `host` and where it was found (or everywhere it was looked for).
    public func lookup(for host: String) throws -> CredentialLookup {
        var lookup = CredentialLookup(host: host, variables: variables, dockerConfigPath: dockerConfigPath)
        if let explicit {
            lookup.found(explicit, in: .explicit)
            return lookup
        }
        if let (credential, variables) = environmentEntry() {
            lookup.found(credential, in: .environment(username: variables.username, password: variables.password))
            return lookup
        }
        let config = try DockerConfig(path: dockerConfigPath)
        let helper = config.helper(for: host)
        if let credential = try config.credential(for: host) {
            lookup.found(credential, in: helper.map { .credentialHelper($0) } ?? .dockerConfig(path: dockerConfigPath))
        }
        lookup.helper = helper
        lookup.loopbackAlias = config.loopbackAlias(of: host)
        return lookup
    }

    /// Credentials for a registry an image is copied from: `sourceVariables`, then docker's config.json (auths,
    /// credential helpers), else anonymous. The destination's explicit and environment credentials are not sent
    /// to another host.
    public func sourceCredential(for host: String) throws -> Credential {
        if let sourceVariables, let credential = credential(from: sourceVariables) { return credential }
        return try DockerConfig(path: dockerConfigPath).credential(for: host) ?? .anonymous
    }

    /// The first pair of `variables` that is set (empty values count as unset).
    public func environmentCredential() -> Credential? {
        environmentEntry()?.0
    }

    private func environmentEntry() -> (Credential, CredentialVariables)? {
        variables.lazy.compactMap { pair in credential(from: pair).map { ($0, pair) } }.first
    }

    private func credential(from pair: CredentialVariables) -> Credential? {
        guard let username = environment[pair.username], let secret = environment[pair.password], !username.isEmpty, !secret.isEmpty else { return nil }
        return .password(username: username, password: secret)
    }
}
