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
        if let explicit { return explicit }
        if let fromEnvironment = environmentCredential() { return fromEnvironment }
        return try DockerConfig(path: dockerConfigPath).credential(for: host) ?? .anonymous
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
        for (user, password) in [("EDGEPACK_USERNAME", "EDGEPACK_PASSWORD"), ("OCI_USERNAME", "OCI_PASSWORD")] {
            if let username = environment[user], let secret = environment[password], !username.isEmpty, !secret.isEmpty {
                return .password(username: username, password: secret)
            }
        }
        return nil
    }
}
