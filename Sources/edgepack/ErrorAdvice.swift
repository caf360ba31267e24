import EdgepackKit
import OCIKit
import Synchronization

/// Turns a registry's refusal into one line that says what to do. OCIKit reports the facts (which host, what
/// was refused, as whom, where credentials were looked for); naming edgepack's commands and flags is ours.
enum ErrorAdvice {
    private static let lookups = Mutex<[String: CredentialLookup]>([:])

    /// Keeps where the credentials for a host came from, to explain a refusal later.
    static func remember(_ lookup: CredentialLookup) {
        lookups.withLock { $0[lookup.host] = lookup }
    }

    /// The line to print for an OCIKit error (no secret: credentials are named by user and origin only).
    static func line(for error: OCIError) -> String {
        guard let refusal = error.refusal else { return error.userMessage }
        let lookup = lookups.withLock { $0[refusal.host] } ?? (try? EdgepackEnvironment.current.credentials().lookup(for: refusal.host))
        let host = refusal.host
        switch refusal.reason {
        case .credentialsNeeded:
            return needed(refusal, lookup)
        case .credentialsRejected:
            return "authentication to \(host) failed as \(refusal.account): wrong username or password, or an expired token"
                + (lookup.map { " (\(origin($0))): \(fixRejected($0))" } ?? ": run 'edgepack login \(host)'")
        case .accessDenied:
            let what = refusal.action ?? "do that"
            return "\(host) denied permission to \(what) as \(refusal.account)" + (lookup.map { " (\(origin($0)))" } ?? "")
                + ": the account lacks that access; use one that has it (edgepack login \(host), or OCI_USERNAME and OCI_PASSWORD)"
        }
    }

    private static func needed(_ refusal: RegistryRefusal, _ lookup: CredentialLookup?) -> String {
        let host = refusal.host
        let start = "\(host) needs a username and password" + (refusal.action.map { " to \($0)" } ?? "")
        guard let lookup else { return start + ": run 'edgepack login \(host)', or set OCI_USERNAME and OCI_PASSWORD" }
        let variables = lookup.variables.map { "\($0.username)/\($0.password)" }.joined(separator: " or ")
        let searched = "no --username, no \(variables), nothing for \(host) in \(lookup.dockerConfigPath)"
            + (lookup.helper.map { " or docker-credential-\($0)" } ?? "")
        if let alias = lookup.loopbackAlias {
            return start + " and found none (\(searched)); credentials are saved for \(alias), the same registry under another name: "
                + "write the registry as \(alias), or run 'edgepack login \(host)'"
        }
        return start + " and found none (\(searched)): run 'edgepack login \(host)', set OCI_USERNAME and OCI_PASSWORD, or pass --username with --password-stdin"
    }

    /// Where the credentials that were refused came from.
    private static func origin(_ lookup: CredentialLookup) -> String {
        switch lookup.source {
        case .explicit: "the username and password given to edgepack"
        case .environment(let username, let password): "credentials from \(username)/\(password)"
        case .dockerConfig(let path): "credentials from \(path)"
        case .credentialHelper(let name): "credentials from docker-credential-\(name)"
        case nil: "no credentials"
        }
    }

    private static func fixRejected(_ lookup: CredentialLookup) -> String {
        switch lookup.source {
        case .explicit: "check them and try again"
        case .environment(let username, let password): "correct \(username) and \(password), or unset them to use docker's config"
        case .dockerConfig, .credentialHelper, nil: "run 'edgepack login \(lookup.host)' again"
        }
    }
}
