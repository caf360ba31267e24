import Foundation

/// Docker's `config.json` (`$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`): where `docker login`
/// keeps credentials, directly (`auths`) or in a credential helper (`credHelpers`, `credsStore`).
public struct DockerConfig {
    public let path: String
    var document: [String: Any]

    public init(path: String = DockerConfig.defaultPath()) throws {
        self.path = path
        guard let data = FileManager.default.contents(atPath: path) else {
            document = [:]
            return
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw OCIError(.invalidJSON, "\(path) is not valid JSON; fix or remove it")
        }
        document = object
    }

    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let directory = environment["DOCKER_CONFIG"], !directory.isEmpty { return directory + "/config.json" }
        return (environment["HOME"] ?? NSHomeDirectory()) + "/.docker/config.json"
    }

    /// The credential for a registry host, or nil when the config has none.
    public func credential(for host: String) throws -> Credential? {
        if let helper = (document["credHelpers"] as? [String: String])?.first(where: { Self.sameRegistry($0.key, host) })?.value {
            return try CredentialHelper(name: helper).get(host)
        }
        if let entry = (document["auths"] as? [String: Any])?.first(where: { Self.sameRegistry($0.key, host) })?.value as? [String: Any] {
            if let token = entry["identitytoken"] as? String, !token.isEmpty { return .identityToken(token) }
            if let auth = entry["auth"] as? String, !auth.isEmpty {
                guard let decoded = Data(base64Encoded: auth).map({ String(decoding: $0, as: UTF8.self) }), let colon = decoded.firstIndex(of: ":") else {
                    throw OCIError(.unauthorized, "the 'auth' entry for \(host) in \(path) is not base64 of user:password")
                }
                return .password(username: String(decoded[..<colon]), password: String(decoded[decoded.index(after: colon)...]))
            }
            if let username = entry["username"] as? String, let password = entry["password"] as? String {
                return .password(username: username, password: password)
            }
        }
        if let store = document["credsStore"] as? String, !store.isEmpty {
            return try CredentialHelper(name: store).get(host)
        }
        return nil
    }

    /// Records credentials as `docker login` does: in the credential store when one is set, else in `auths`.
    public mutating func store(_ credential: Credential, for host: String) throws {
        if let store = document["credsStore"] as? String, !store.isEmpty {
            try CredentialHelper(name: store).store(credential, for: host)
            return
        }
        var auths = document["auths"] as? [String: Any] ?? [:]
        for key in auths.keys where Self.sameRegistry(key, host) { auths[key] = nil }
        switch credential {
        case .password(let username, let password):
            auths[host] = ["auth": Base64.encode(Array("\(username):\(password)".utf8))]
        case .identityToken(let token):
            auths[host] = ["auth": Base64.encode(Array("<token>:".utf8)), "identitytoken": token]
        case .anonymous:
            break
        }
        document["auths"] = auths
        try save()
    }

    /// Forgets the credentials for a host; returns whether there were any.
    @discardableResult
    public mutating func remove(host: String) throws -> Bool {
        if let store = document["credsStore"] as? String, !store.isEmpty {
            try CredentialHelper(name: store).erase(host)
        }
        var auths = document["auths"] as? [String: Any] ?? [:]
        let keys = auths.keys.filter { Self.sameRegistry($0, host) }
        for key in keys { auths[key] = nil }
        document["auths"] = auths
        try save()
        return !keys.isEmpty
    }

    private func save() throws {
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let data = try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        try AtomicFile.write(data + Data("\n".utf8), to: path, permissions: 0o600)
    }

    /// Whether a config key names `host`: keys may carry a scheme and a path (`https://index.docker.io/v1/`),
    /// and Docker Hub goes by several names.
    static func sameRegistry(_ key: String, _ host: String) -> Bool {
        normalize(key) == normalize(host)
    }

    static func normalize(_ text: String) -> String {
        var host = text
        for scheme in ["https://", "http://"] where host.hasPrefix(scheme) { host.removeFirst(scheme.count) }
        host = String(host.split(separator: "/", maxSplits: 1).first ?? "")
        return ["index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"].contains(host) ? "docker.io" : host
    }
}

/// A `docker-credential-NAME` program, spoken to as docker does (the host on stdin, JSON on stdout).
struct CredentialHelper {
    let name: String

    func get(_ host: String) throws -> Credential? {
        let (status, output) = try run(["get"], input: host)
        if status != 0 {
            if output.lowercased().contains("not found") { return nil }
            throw OCIError(.unauthorized, "docker-credential-\(name) get failed for \(host): \(output.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any],
              let username = object["Username"] as? String, let secret = object["Secret"] as? String
        else { throw OCIError(.unauthorized, "docker-credential-\(name) answered something that is not credentials") }
        return username == "<token>" ? .identityToken(secret) : .password(username: username, password: secret)
    }

    func store(_ credential: Credential, for host: String) throws {
        let username: String, secret: String
        switch credential {
        case .password(let user, let password): (username, secret) = (user, password)
        case .identityToken(let token): (username, secret) = ("<token>", token)
        case .anonymous: return
        }
        let payload = try JSONSerialization.data(withJSONObject: ["ServerURL": host, "Username": username, "Secret": secret])
        let (status, output) = try run(["store"], input: String(decoding: payload, as: UTF8.self))
        guard status == 0 else { throw OCIError(.unauthorized, "docker-credential-\(name) store failed: \(output)") }
    }

    func erase(_ host: String) throws {
        _ = try run(["erase"], input: host)
    }

    private func run(_ arguments: [String], input: String) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["docker-credential-\(name)"] + arguments
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stdout
        do {
            try process.run()
        } catch {
            throw OCIError(.unauthorized, "docker-credential-\(name) is configured in docker's config.json but cannot be run")
        }
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try? stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        if process.terminationReason == .exit, process.terminationStatus == 127 {
            throw OCIError(.unauthorized, "docker-credential-\(name) is configured in docker's config.json but is not installed")
        }
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }
}
