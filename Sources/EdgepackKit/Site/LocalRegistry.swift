import Foundation
import OCIKit

/// A registry of one's own: Debian's docker-registry (distribution 2.8) with htpasswd auth, run in the
/// background from a state folder that holds its config, password, pid and log. For trying edgepack and for
/// small sites; `up` is idempotent, `down` stops only the process `up` started and keeps the storage.
public struct LocalRegistry: Sendable {
    /// Where the running registry's facts are kept, all in one folder.
    public let state: String
    public static let username = "edgepack"

    public init(state: String) {
        self.state = state
    }

    /// `$XDG_STATE_HOME/edgepack/registry` when set, else /var/lib/edgepack/registry for root and
    /// `~/.local/state/edgepack/registry` for anyone else.
    public static func defaultState(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let base = environment["XDG_STATE_HOME"], base.hasPrefix("/") { return base + "/edgepack/registry" }
        if getuid() == 0 { return "/var/lib/edgepack/registry" }
        return (environment["HOME"] ?? NSHomeDirectory()) + "/.local/state/edgepack/registry"
    }

    /// What `up` was asked for, kept beside the config so that `status` can say it.
    public struct Settings: Codable, Sendable, Equatable {
        public var address: String
        public var port: Int
        public var storage: String
        public var authenticated: Bool

        public init(address: String = "127.0.0.1", port: Int = 5000, storage: String, authenticated: Bool = true) {
            self.address = address
            self.port = port
            self.storage = storage
            self.authenticated = authenticated
        }

        /// The address this machine reaches the registry at (every interface: loopback).
        var reachableAddress: String { address == "0.0.0.0" ? "127.0.0.1" : address }

        /// The host:port clients on this machine use.
        public var host: String { reachableAddress == "127.0.0.1" ? "localhost:\(port)" : "\(address):\(port)" }
    }

    /// A running registry.
    public struct Status: Sendable {
        public var settings: Settings
        public var pid: Int32
        public var passwordFile: String?
        public var log: String
    }

    /// Debian's `docker-registry` (or distribution's `registry`) on PATH, or nil.
    public static func findExecutable() -> String? { RegistryProcess.executable() }

    var settingsFile: String { state + "/settings.json" }
    var configFile: String { state + "/config.yml" }
    var passwordFile: String { state + "/password" }
    var htpasswdFile: String { state + "/htpasswd" }
    var pidFile: String { state + "/registry.pid" }
    var logFile: String { state + "/registry.log" }

    /// Starts the registry (or finds it already running with these settings) and waits until it answers with
    /// the credentials it was given. Returns what `status` would, and whether it was started now.
    public func up(_ settings: Settings, executable: String) throws -> (status: Status, started: Bool) {
        if let running = try status() {
            guard running.settings == settings else {
                throw OCIError(.unsupported, "a registry from \(state) already runs on \(running.settings.address):\(running.settings.port) with other settings; stop it first")
            }
            return (running, false)
        }
        if Self.answers(address: settings.reachableAddress, port: settings.port) {
            throw OCIError(.unsupported, "port \(settings.port) is already in use by another program; choose another port")
        }
        try FileManager.default.createDirectory(atPath: settings.storage, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let password = try writeCredentials(authenticated: settings.authenticated)
        try AtomicFile.write(Data(config(settings).utf8), to: configFile, permissions: 0o600)
        try AtomicFile.write(Data(try CanonicalJSON.encode(settings)), to: settingsFile, permissions: 0o600)
        let pid = try RegistryProcess.spawn(executable: executable, config: configFile, log: logFile)
        try AtomicFile.write(Data("\(pid)\n".utf8), to: pidFile, permissions: 0o600)
        try waitUntilReady(settings, pid: pid, password: password)
        return (Status(settings: settings, pid: pid, passwordFile: settings.authenticated ? passwordFile : nil, log: logFile), true)
    }

    /// The running registry this folder started, or nil (a stale pid file, or a pid now owned by another process, is
    /// not a running registry).
    public func status() throws -> Status? {
        guard let text = try? String(contentsOfFile: pidFile, encoding: .utf8), let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)),
              RegistryProcess.isRunning(pid, config: configFile),
              let data = FileManager.default.contents(atPath: settingsFile) else { return nil }
        let settings = try CanonicalJSON.decode(Settings.self, from: Array(data), what: settingsFile)
        return Status(settings: settings, pid: pid, passwordFile: settings.authenticated ? passwordFile : nil, log: logFile)
    }

    /// Stops the registry this folder started; the storage stays. Returns false when none was running.
    public func down() throws -> Bool {
        guard let running = try status() else {
            try? FileManager.default.removeItem(atPath: pidFile)
            return false
        }
        try RegistryProcess.stop(running.pid, config: configFile)
        try? FileManager.default.removeItem(atPath: pidFile)
        return true
    }

    /// The password of the running registry's user, for `edgepack login --password-stdin`.
    public func password() throws -> String {
        guard let running = try status() else { throw OCIError(.notFound, "no registry of \(state) is running; start it with 'edgepack registry up'") }
        guard let file = running.passwordFile, let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw OCIError(.notFound, "the registry of \(state) runs without authentication: it has no password")
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The password file is made once and kept, so that saved logins go on working across restarts.
    private func writeCredentials(authenticated: Bool) throws -> String? {
        guard authenticated else { return nil }
        let password: String
        if let kept = try? String(contentsOfFile: passwordFile, encoding: .utf8), !kept.isEmpty {
            password = kept.trimmingCharacters(in: .whitespacesAndNewlines)
        } else {
            password = PasswordHash.randomPassword()
            try AtomicFile.write(Data((password + "\n").utf8), to: passwordFile, permissions: 0o600)
        }
        try AtomicFile.write(Data("\(Self.username):\(try PasswordHash.bcrypt(password))\n".utf8), to: htpasswdFile, permissions: 0o600)
        return password
    }

    func config(_ settings: Settings) -> String {
        var secret = SystemRandomNumberGenerator()
        let auth = settings.authenticated ? """
            auth:
              htpasswd:
                realm: edgepack
                path: \(Self.yamlString(htpasswdFile))

            """ : ""
        return """
            version: 0.1
            log:
              level: info
            storage:
              filesystem:
                rootdirectory: \(Self.yamlString(settings.storage))
              delete:
                enabled: true
            http:
              addr: \(Self.yamlString("\(settings.address):\(settings.port)"))
              secret: \(String(secret.next(), radix: 16))\(String(secret.next(), radix: 16))
            \(auth)
            """
    }

    /// A YAML double-quoted scalar (JSON's string syntax is YAML's), whatever the path holds.
    static func yamlString(_ text: String) -> String {
        (try? CanonicalJSON.encode(text)).map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
    }

    private func waitUntilReady(_ settings: Settings, pid: Int32, password: String?) throws {
        let credential: Credential = password.map { .password(username: Self.username, password: $0) } ?? .anonymous
        var options = EdgepackEnvironment.current.registryOptions()
        options.plainHTTP = true
        options.transport.insecure = !settings.reachableAddress.hasPrefix("127.")  // plain HTTP to our own registry on another interface
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            guard RegistryProcess.isRunning(pid, config: configFile) else {
                try? FileManager.default.removeItem(atPath: pidFile)
                throw OCIError(.unsupported, "the registry stopped at start: \(lastLogLine()) (log: \(logFile))")
            }
            if Self.answers(address: settings.reachableAddress, port: settings.port),
               (try? RegistryClient.connect(host: "\(settings.reachableAddress):\(settings.port)", credential: credential, options: options)) != nil {
                return
            }
            usleep(50_000)
        }
        try? RegistryProcess.stop(pid, config: configFile)
        try? FileManager.default.removeItem(atPath: pidFile)
        throw OCIError(.unsupported, "the registry did not answer on port \(settings.port) within 20 s (log: \(logFile))")
    }

    private func lastLogLine() -> String {
        let text = (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
        let line = text.split(separator: "\n").last.map(String.init) ?? "no output"
        // distribution logs `level=fatal msg="..."`; the message is the part worth one line.
        if let start = line.range(of: "msg=\"")?.upperBound, let end = line[start...].firstIndex(of: "\"") { return String(line[start..<end]) }
        return String(line.prefix(200))
    }

    /// Whether something accepts TCP connections on address:port (IPv4).
    static func answers(address ipv4: String, port: Int) -> Bool {
        let socketHandle = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketHandle >= 0 else { return false }
        defer { close(socketHandle) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr(ipv4)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socketHandle, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
