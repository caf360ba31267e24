import ArgumentParser
import EdgepackKit
import Foundation
import OCIKit

/// What `edgepack agent` follows, where it keeps its state and how it applies a version.
struct AgentOptions: ParsableArguments {
    enum RuntimeKind: String, ExpressibleByArgument, CaseIterable {
        case command, podman, docker, compose, helm
    }

    @Option(help: "Read these options from a YAML file (keys as the long options without --, e.g. apply-command: …); options given here win.",
            completion: .file())
    var config: String?

    @Option(help: "The registry prefix the site reads from, e.g. registry.site.local/acme/edge.")
    var registry: String!

    @Option(help: "The pipeline to follow.")
    var pipeline: String!

    @Option(help: "The channel to follow, e.g. prod.")
    var channel: String!

    @Option(help: "Where to report this site's status, when not the registry it reads from (e.g. the origin behind a read-only cache).")
    var reportRegistry: String?

    @Option(help: "The state folder: pulled versions, the current link, status.json (default: /var/lib/edgepack as root, else $XDG_STATE_HOME/edgepack).",
            completion: .directory)
    var state: String?

    @Option(help: "This site's name in reports (default: the host name).")
    var site: String?

    @Flag(help: "Poll once, apply what is new, and exit (for cron and systemd timers).")
    var once = false

    @Option(help: "Without --once: how often to poll (with ±10% jitter), e.g. 30s or 5m (default: 30s).")
    var interval: String!

    @Option(help: "How to start a version: podman or docker (the record's run command, pinned by digest), compose (the version's compose file), helm (helm upgrade --install --atomic --wait with the version's chart), or command (--apply-command; the default).")
    var runtime: RuntimeKind!

    @Option(help: "An air-gap inbox: bundles dropped here are verified, pushed into --registry with the channel moved, then applied; a failing one goes to DIR/rejected/ with a .reason file.",
            completion: .directory)
    var watch: String?

    @Option(help: "With --runtime compose: the compose command (default: podman-compose when installed, else 'docker compose').")
    var composeTool: String?

    @Option(help: "With --runtime compose: a compose file of this site's own, applied over the version's (repeatable).", completion: .file())
    var composeOverride: [String] = []

    @Option(help: "With --runtime helm: the helm command (default: helm).")
    var helmTool: String?

    @Option(help: "With --runtime helm: the namespace to install into (default: the kube context's).")
    var helmNamespace: String?

    @Option(help: "With --runtime helm: the kubeconfig context to use.")
    var kubeContext: String?

    @Option(help: "With --runtime command: the shell command that starts a version; it gets EDGEPACK_VERSION, EDGEPACK_DIGEST, EDGEPACK_DIR and EDGEPACK_PIPELINE_URL.")
    var applyCommand: String?

    @Option(help: "Versions kept for rollback, the running one included (default: 3).")
    var keep: Int!

    @Option(help: "Refuse any version whose cosign signatures do not verify with this public key (PEM).", completion: .file())
    var verifyKey: String?

    @Option(help: "The URL that answers 2xx once a version is healthy (default: the engine's port on this host, http://127.0.0.1:$EDGE_PORT/pipelines, 8080 without EDGE_PORT).")
    var healthUrl: String?

    @Option(help: "How long a version has to become healthy, e.g. 60s or 2m (default: 60s).")
    var healthTimeout: String!

    mutating func validate() throws {
        try merge(config.map { try AgentConfigFile.load($0) } ?? [:])
        if (try? intervalSeconds()) == nil { throw ValidationError("--interval '\(interval ?? "")' is not a duration of at least 1s, such as 30s or 5m") }
        if keep < 1 { throw ValidationError("--keep must be at least 1 (the running version)") }
        if runtime == .command, applyCommand == nil { throw ValidationError("--runtime command needs --apply-command CMD") }
        if let pipeline, !ReferenceName.isComponent(Substring(pipeline)) {
            throw ValidationError("--pipeline '\(pipeline)' is not a pipeline name: lowercase letters and digits, separated by '.', '_' or '-'")
        }
        if let channel, !ReferenceName.isTag(channel) || channel.hasPrefix("sha256-") {
            throw ValidationError("--channel '\(channel)' is not a channel name such as prod or canary")
        }
        if let site, !ReferenceName.isTag(site) {
            throw ValidationError("--site '\(site)' is not a usable site name: letters, digits, '.', '_' and '-', at most 128, not starting with '.' or '-'")
        }
        if Self.seconds(healthTimeout) == nil { throw ValidationError("--health-timeout '\(healthTimeout ?? "")' is not a duration such as 60s, 2m or 1h") }
    }

    func settings() throws -> AgentSettings {
        let verification = try verifyKey.map { (key: try loadPublicKey($0), name: $0) }
        return AgentSettings(layout: try RegistryLayout(prefix: registry), pipeline: pipeline, channel: channel, site: try siteName(),
                             keep: keep, verification: verification, healthURL: healthUrl, healthTimeout: Self.seconds(healthTimeout) ?? 60)
    }

    /// `client` reads the engine's mirror; `credential` is what the agent authenticated with (the engine gets it).
    func makeRuntime(client: RegistryClient, credential: Credential) throws -> any AgentRuntime {
        var engineCredentials: [String: String] = [:]
        if case .password(let username, let password) = credential {
            engineCredentials = ["OCI_USERNAME": username, "OCI_PASSWORD": password]
        }
        let layout = try RegistryLayout(prefix: registry)
        let port = ProcessInfo.processInfo.environment["EDGE_PORT"].flatMap(Int.init) ?? 8080
        let tool: ContainerRuntime.Tool
        switch runtime ?? .command {
        case .command: return CommandRuntime(command: applyCommand ?? "")
        case .compose:
            let command = composeTool.map { $0.split(separator: " ").map(String.init) } ?? (Self.isInstalled("podman-compose") ? ["podman-compose"] : ["docker", "compose"])
            return ComposeRuntime(tool: command, layout: layout, pipeline: pipeline, client: client, verification: try settings().verification,
                                  siteOverrides: composeOverride, engineCredentials: engineCredentials, port: port)
        case .helm:
            return HelmRuntime(tool: helmTool.map { $0.split(separator: " ").map(String.init) } ?? ["helm"], layout: layout, pipeline: pipeline, client: client,
                               verification: try settings().verification, engineCredentials: engineCredentials, timeout: Self.seconds(healthTimeout) ?? 60,
                               namespace: helmNamespace, kubeContext: kubeContext)
        case .podman: tool = .podman
        case .docker: tool = .docker
        }
        return ContainerRuntime(tool: tool, layout: layout, pipeline: pipeline, client: client, engineCredentials: engineCredentials, port: port,
                                verification: try settings().verification)
    }

    /// Fills what the command line left out from the config file, then the defaults; says what is still missing.
    private mutating func merge(_ file: [String: String]) throws {
        let origin = config ?? ""
        func value(_ key: String) -> String? { file[key] }
        registry = registry ?? value("registry")
        pipeline = pipeline ?? value("pipeline")
        channel = channel ?? value("channel")
        reportRegistry = reportRegistry ?? value("report-registry")
        state = state ?? value("state")
        site = site ?? value("site")
        applyCommand = applyCommand ?? value("apply-command")
        verifyKey = verifyKey ?? value("verify-key")
        watch = watch ?? value("watch")
        healthUrl = healthUrl ?? value("health-url")
        helmNamespace = helmNamespace ?? value("helm-namespace")
        kubeContext = kubeContext ?? value("kube-context")
        interval = interval ?? value("interval") ?? "30s"
        healthTimeout = healthTimeout ?? value("health-timeout") ?? "60s"
        if let text = value("once"), !once {
            guard let flag = Bool(text) else { throw ValidationError("\(origin): once must be true or false, not '\(text)'") }
            once = flag
        }
        if runtime == nil {
            guard let kind = RuntimeKind(rawValue: value("runtime") ?? "command") else {
                throw ValidationError("\(origin): runtime must be one of \(RuntimeKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            runtime = kind
        }
        if keep == nil {
            guard let count = Int(value("keep") ?? "3") else { throw ValidationError("\(origin): keep must be a whole number") }
            keep = count
        }
        for (name, given) in [("registry", registry), ("pipeline", pipeline), ("channel", channel)] where given == nil {
            throw ValidationError("missing --\(name) (or \(name): in the --config file)")
        }
    }

    func intervalSeconds() throws -> TimeInterval {
        guard let seconds = Self.seconds(interval), seconds >= 1 else { throw CommandError("--interval '\(interval ?? "")' is not a duration of at least 1s") }
        return seconds
    }

    static func isInstalled(_ program: String) -> Bool {
        (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(program)") }
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
        // At most a week: a finite, sane duration (infinity would trap where it becomes a whole number).
        let plain: (Substring) -> Double? = { Double($0).flatMap { $0 >= 0 && $0.isFinite ? $0 : nil } }
        let value: Double?
        if let last = text.last, let unit = units[last], let number = plain(text.dropLast()) { value = number * unit } else { value = plain(Substring(text)) }
        return value.flatMap { $0 <= 604_800 ? $0 : nil }
    }
}
