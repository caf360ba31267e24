import ArgumentParser
import EdgepackKit
import Foundation
import OCIKit

/// What `edgepack agent` follows, where it keeps its state and how it applies a version.
struct AgentOptions: ParsableArguments {
    enum RuntimeKind: String, ExpressibleByArgument, CaseIterable {
        case command, podman, docker
    }

    @Option(help: "The registry prefix the site reads from, e.g. registry.site.local/acme/edge.")
    var registry: String

    @Option(help: "The pipeline to follow.")
    var pipeline: String

    @Option(help: "The channel to follow, e.g. prod.")
    var channel: String

    @Option(help: "Where to report this site's status, when not the registry it reads from (e.g. the origin behind a read-only cache).")
    var reportRegistry: String?

    @Option(help: "The state folder: pulled versions, the current link, status.json (default: /var/lib/edgepack as root, else $XDG_STATE_HOME/edgepack).",
            completion: .directory)
    var state: String?

    @Option(help: "This site's name in reports (default: the host name).")
    var site: String?

    @Flag(help: "Poll once, apply what is new, and exit (for cron and systemd timers).")
    var once = false

    @Option(help: "Without --once: how often to poll (with ±10% jitter), e.g. 30s or 5m.")
    var interval = "30s"

    @Option(help: "How to start a version: podman or docker (the record's run command, pinned by digest), or command (--apply-command).")
    var runtime: RuntimeKind = .command

    @Option(help: "With --runtime command: the shell command that starts a version; it gets EDGEPACK_VERSION, EDGEPACK_DIGEST, EDGEPACK_DIR and EDGEPACK_PIPELINE_URL.")
    var applyCommand: String?

    @Option(help: "Versions kept for rollback, the running one included.")
    var keep = 3

    @Option(help: "Refuse any version whose cosign signatures do not verify with this public key (PEM).", completion: .file())
    var verifyKey: String?

    @Option(help: "The URL that answers 2xx once a version is healthy (default: the engine's port on this host, http://127.0.0.1:$EDGE_PORT/pipelines, 8080 without EDGE_PORT).")
    var healthUrl: String?

    @Option(help: "How long a version has to become healthy, e.g. 60s or 2m.")
    var healthTimeout = "60s"

    func validate() throws {
        if (try? intervalSeconds()) == nil { throw ValidationError("--interval '\(interval)' is not a duration of at least 1s, such as 30s or 5m") }
        if keep < 1 { throw ValidationError("--keep must be at least 1 (the running version)") }
        if runtime == .command, applyCommand == nil { throw ValidationError("--runtime command needs --apply-command CMD") }
        if let site, !ReferenceName.isTag(site) {
            throw ValidationError("--site '\(site)' is not a usable site name: letters, digits, '.', '_' and '-', at most 128, not starting with '.' or '-'")
        }
        if Self.seconds(healthTimeout) == nil { throw ValidationError("--health-timeout '\(healthTimeout)' is not a duration such as 60s, 2m or 1h") }
    }

    func settings() throws -> AgentSettings {
        let verification = try verifyKey.map { (key: try loadPublicKey($0), name: $0) }
        return AgentSettings(layout: try RegistryLayout(prefix: registry), pipeline: pipeline, channel: channel, site: try siteName(),
                             keep: keep, verification: verification, healthURL: healthUrl, healthTimeout: Self.seconds(healthTimeout) ?? 60)
    }

    /// `client` reads the engine's mirror; `credential` is what the agent authenticated with (the engine gets it).
    func makeRuntime(client: RegistryClient, credential: Credential) throws -> any AgentRuntime {
        let tool: ContainerRuntime.Tool
        switch runtime {
        case .command: return CommandRuntime(command: applyCommand ?? "")
        case .podman: tool = .podman
        case .docker: tool = .docker
        }
        var engineCredentials: [String: String] = [:]
        if case .password(let username, let password) = credential {
            engineCredentials = ["OCI_USERNAME": username, "OCI_PASSWORD": password]
        }
        return ContainerRuntime(tool: tool, layout: try RegistryLayout(prefix: registry), pipeline: pipeline, client: client,
                                engineCredentials: engineCredentials, port: ProcessInfo.processInfo.environment["EDGE_PORT"].flatMap(Int.init) ?? 8080)
    }

    func intervalSeconds() throws -> TimeInterval {
        guard let seconds = Self.seconds(interval), seconds >= 1 else { throw CommandError("--interval '\(interval)' is not a duration of at least 1s") }
        return seconds
    }

    func stateDirectory() -> String { state ?? Self.defaultStateDirectory() }

    static func defaultStateDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if getuid() == 0 { return "/var/lib/edgepack" }
        let base = environment["XDG_STATE_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil } ?? NSHomeDirectory() + "/.local/state"
        return base + "/edgepack"
    }

    /// The host name up to its first dot, made a valid tag.
    func siteName() throws -> String {
        if let site { return site }
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? ""
        guard ReferenceName.isTag(host) else { throw CommandError("the host name '\(MessageText.escaped(host))' is not a usable site name: pass --site NAME") }
        return host
    }

    /// `90`, `90s`, `2m`, `1h`.
    static func seconds(_ text: String) -> TimeInterval? {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600]
        if let last = text.last, let unit = units[last], let value = Double(text.dropLast()), value >= 0 { return value * unit }
        return Double(text).flatMap { $0 >= 0 ? $0 : nil }
    }
}
