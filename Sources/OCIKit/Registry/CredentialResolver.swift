import Foundation

/// Where credentials come from, first match wins: explicit (flags), then the environment
/// (`EDGEPACK_USERNAME`/`EDGEPACK_PASSWORD`, then `OCI_USERNAME`/`OCI_PASSWORD`), then docker's config.json,
/// else anonymous.
public struct CredentialResolver: Sendable {
    public var explicit: Credential?
    public var environment: [String: String]
    public var dockerConfigPath: String

    public init(explicit: Credential? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.explicit = explicit
        self.environment = environment
        self.dockerConfigPath = DockerConfig.defaultPath(environment: environment)
    }

    public func credential(for host: String) throws -> Credential {
        try lookup(for: host).credential
    }

    /// The credential for `host` and where it was found (or everywhere it was looked for).
    public func lookup(for host: String) throws -> CredentialLookup {
        var lookup = CredentialLookup(host: host, dockerConfigPath: dockerConfigPath)
        if let explicit {
            lookup.found(explicit, in: .explicit)
            return lookup
        }
        if let (credential, variables) = environmentEntry() {
            lookup.found(credential, in: .environment(username: variables.0, password: variables.1))
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

    /// Credentials for a registry an image is copied from: `EDGEPACK_SOURCE_USERNAME`/`EDGEPACK_SOURCE_PASSWORD`,
    /// then docker's config.json (auths, credential helpers), else anonymous. The destination's explicit and
    /// environment credentials are not sent to another host.
    public func sourceCredential(for host: String) throws -> Credential {
        if let username = environment["EDGEPACK_SOURCE_USERNAME"], let password = environment["EDGEPACK_SOURCE_PASSWORD"], !username.isEmpty, !password.isEmpty {
            return .password(username: username, password: password)
        }
        return try DockerConfig(path: dockerConfigPath).credential(for: host) ?? .anonymous
    }

    /// `EDGEPACK_USERNAME`/`EDGEPACK_PASSWORD`, else `OCI_USERNAME`/`OCI_PASSWORD` (empty values count as unset).
    public func environmentCredential() -> Credential? {
        environmentEntry()?.0
    }

    private func environmentEntry() -> (Credential, (String, String))? {
        for variables in CredentialLookup.environmentVariables {
            if let username = environment[variables.username], let secret = environment[variables.password], !username.isEmpty, !secret.isEmpty {
                return (.password(username: username, password: secret), variables)
            }
        }
        return nil
    }
}
