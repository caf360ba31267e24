import Foundation
import Testing
import TestSupport

/// `agent status --json`, as the agent writes it.
struct AgentStatusFile: Decodable {
    struct Attempt: Decodable { var outcome: String; var reason: String; var at: String; var version: String?; var digest: String? }
    var site: String
    var pipeline: String
    var channel: String
    var version: String?
    var digest: String?
    var applied_at: String?
    var last_attempt: Attempt?
    var bad_digests: [String]
}

/// A site for the agent tests: its state folder, a health server its apply command (re)starts on a free port,
/// and a list of versions that server reports unhealthy.
struct AgentSite {
    let dir: TemporaryDirectory
    let port: Int
    let registry: String
    var state: String { dir.file("state") }
    var badVersions: String { dir.file("bad-versions") }

    init(registry: String) throws {
        dir = try TemporaryDirectory("edgepack-agent")
        self.registry = registry
        port = try freeLoopbackPort()
    }

    /// Stops the server the previous apply started, then starts one for this version (30 s lifetime).
    var applyCommand: String {
        let pidFile = dir.file("server.pid")
        return "if [ -f '\(pidFile)' ]; then kill $(cat '\(pidFile)') 2>/dev/null; sleep 0.2; fi; "
            + "'\(repositoryRoot)/scripts/agent-health-server' \(port) \"$EDGEPACK_VERSION\" '\(pidFile)' '\(badVersions)' 30 >/dev/null 2>&1 &"
    }

    func agent(_ extra: [String] = [], command: String? = nil, pipeline: String = "edge", channel: String = "prod") throws -> ProcessResult {
        try edgepack(arguments(extra, command: command, pipeline: pipeline, channel: channel), environment: pusher)
    }

    func arguments(_ extra: [String] = [], command: String? = nil, pipeline: String = "edge", channel: String = "prod", once: Bool = true) -> [String] {
        ["agent"] + (once ? ["--once"] : []) + ["--registry", registry, "--pipeline", pipeline, "--channel", channel, "--state", state, "--site", "site-a",
         "--runtime", "command", "--apply-command", command ?? applyCommand, "--health-url", "http://127.0.0.1:\(port)/",
         "--health-timeout", "10s"] + extra
    }

    func status() throws -> AgentStatusFile {
        let printed = try edgepack(["agent", "status", "--state", state])
        guard printed.succeeded else { throw TestFailure("agent status: \(printed.stderr)") }
        return try JSONDecoder().decode(AgentStatusFile.self, from: Data(printed.stdout.utf8))
    }

    /// What the health server answers now.
    func answer() throws -> String {
        try run("curl", ["-s", "--max-time", "2", "http://127.0.0.1:\(port)/"]).stdout
    }

    func versionFolders() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: state + "/versions")) ?? []).sorted()
    }

    func current() -> String? {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: state + "/current")).map { ($0 as NSString).lastPathComponent }
    }

    /// Stops the health server now (it would stop by itself after its lifetime).
    func stopServer() {
        if let pid = try? String(contentsOfFile: dir.file("server.pid"), encoding: .utf8), let number = Int32(pid) { kill(number, SIGTERM) }
    }
}

/// A row of `sites --json`.
struct SiteRow: Decodable {
    var site: String
    var version: String?
    var applied_at: String?
    var last_attempt: AgentStatusFile.Attempt?
    var reported_at: String?
    var reported_seconds_ago: Int?
}

@Suite(.serialized) struct AgentTests {
    /// Publishes the pipeline `edge` (one random 4 KiB model, new content each time) to `channel`; returns its record.
    func publishNewVersion(_ dir: TemporaryDirectory, registry: String, channel: String = "prod", extra: [String] = []) throws -> ChannelRecord {
        let definition = try randomModelsPipeline([4096], named: "edge", in: dir)
        let result = try edgepack(["publish", definition, "--registry", registry, "--channel", channel, "--json", "-q"] + extra, environment: pusher)
        guard result.succeeded else { throw TestFailure("publish: \(result.stderr)") }
        return try JSONDecoder().decode(ChannelRecord.self, from: Data(result.stdout.utf8))
    }

    @Test func appliesEachVersionAndRollsBackOneThatIsNotHealthy() throws {
        let registry = "\(registries.token)/agent\(UUID().uuidString.prefix(6).lowercased())"
        let project = try TemporaryDirectory()
        let site = try AgentSite(registry: registry)
        defer { site.stopServer() }

        let v1 = try publishNewVersion(project, registry: registry)
        let first = try site.agent()
        #expect(first.succeeded, "\(first.stderr)")
        #expect(try site.answer() == v1.pipeline_version)
        #expect(site.current() == v1.pipeline_version)
        var status = try site.status()
        #expect(status.version == v1.pipeline_version && status.digest == v1.pipeline_digest && status.last_attempt?.outcome == "applied")
        #expect(status.site == "site-a" && status.pipeline == "edge" && status.channel == "prod" && status.applied_at != nil)

        let v2 = try publishNewVersion(project, registry: registry)
        let second = try site.agent()
        #expect(second.succeeded, "\(second.stderr)")
        #expect(try site.answer() == v2.pipeline_version)
        #expect(site.current() == v2.pipeline_version)

        // v3 starts but never answers 2xx: the agent starts v2 again and remembers v3 as bad.
        try publishWithBadHealth(project, site: site, registry: registry) { v3 in
            let third = try site.agent()
            #expect(third.succeeded, "the site ends on v2, a good version: \(third.stderr)")
            #expect(third.stderr.contains("rolled-back"), "\(third.stderr)")
            #expect(try site.answer() == v2.pipeline_version)
            #expect(site.current() == v2.pipeline_version)
            status = try site.status()
            #expect(status.version == v2.pipeline_version && status.digest == v2.pipeline_digest)
            #expect(status.last_attempt?.outcome == "rolled-back" && status.last_attempt?.version == v3.pipeline_version)
            let reason = status.last_attempt?.reason ?? ""
            #expect(reason.contains("did not become healthy") && reason.contains("answered 503") && !reason.contains("\n"), "\(reason)")
            #expect(status.bad_digests == [v3.pipeline_digest])
            #expect(site.versionFolders() == [v1.pipeline_version, v2.pipeline_version].sorted(), "the failed version is not kept")

            // The publisher's side: the site runs v2, its last attempt (v3) was rolled back, and it reported just now.
            let sites = try edgepack(["sites", "edge", "--registry", registry, "--json"], environment: pusher)
            #expect(sites.succeeded, "\(sites.stderr)")
            let rows = try JSONDecoder().decode([SiteRow].self, from: Data(sites.stdout.utf8))
            #expect(rows.map(\.site) == ["site-a"])
            #expect(rows.first?.version == v2.pipeline_version && rows.first?.last_attempt?.outcome == "rolled-back")
            #expect(rows.first?.last_attempt?.version == v3.pipeline_version && rows.first?.last_attempt?.reason == reason)
            #expect((rows.first?.reported_seconds_ago ?? 99) < 60)
            let table = try edgepack(["sites", "edge", "--registry", registry], environment: pusher)
            let line = table.stdout.split(separator: "\n").first { $0.hasPrefix("site-a") }.map(String.init) ?? ""
            #expect(line.contains(v2.pipeline_version) && line.contains("rolled-back \(v3.pipeline_version)") && line.contains("s ago"), "\(table.stdout)")

            // The channel still names v3: not tried again (no apply, nothing written).
            let again = try site.agent()
            #expect(again.succeeded && again.stdout.contains("nothing to do"), "\(again.stdout)\(again.stderr)")
            #expect(try site.status().last_attempt?.outcome == "rolled-back")
        }
    }

    func publishWithBadHealth(_ project: TemporaryDirectory, site: AgentSite, registry: String, _ body: (ChannelRecord) throws -> Void) throws {
        // The version is known only once built: mark it bad before the channel moves (publish without a channel,
        // then promote).
        let definition = try randomModelsPipeline([4096], named: "edge", in: project)
        let published = try edgepack(["publish", definition, "--registry", registry, "--json", "-q"], environment: pusher)
        guard published.succeeded else { throw TestFailure("publish: \(published.stderr)") }
        let record = try JSONDecoder().decode(ChannelRecord.self, from: Data(published.stdout.utf8))
        try site.dir.write("bad-versions", record.pipeline_version + "\n")
        let promoted = try edgepack(["promote", "edge", record.pipeline_version, "--channel", "prod", "--registry", registry], environment: pusher)
        guard promoted.succeeded else { throw TestFailure("promote: \(promoted.stderr)") }
        try body(record)
    }

    @Test func keepsOnlyTheNewestVersionsAndPinsTheDigest() throws {
        let registry = "\(registries.token)/agentkeep\(UUID().uuidString.prefix(6).lowercased())"
        let project = try TemporaryDirectory()
        let site = try AgentSite(registry: registry)
        let seen = site.dir.file("seen")
        defer { site.stopServer() }
        let command = "echo \"$EDGEPACK_VERSION $EDGEPACK_DIGEST $EDGEPACK_PIPELINE_URL $EDGEPACK_DIR\" >> '\(seen)'; " + site.applyCommand
        var versions: [String] = []
        // A state folder the user shares: pruning removes only what the agent wrote.
        try site.dir.write("state/.ssh/id_rsa", "private")
        try site.dir.write("state/.notes", "mine")
        for _ in 0..<3 {
            versions.append(try publishNewVersion(project, registry: registry).pipeline_version)
            let applied = try site.agent(["--keep", "2"], command: command)
            #expect(applied.succeeded, "\(applied.stderr)")
        }
        #expect(site.versionFolders() == Array(versions.suffix(2)).sorted())
        #expect(FileManager.default.fileExists(atPath: site.dir.file("state/.ssh/id_rsa")) && FileManager.default.fileExists(atPath: site.dir.file("state/.notes")))
        let lines = try String(contentsOfFile: seen, encoding: .utf8).split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        let last = try #require(lines.last)
        #expect(last[0] == versions[2] && last[1].hasPrefix("sha256:"))
        #expect(last[2] == "\(registry)/pipelines/edge@\(last[1])", "pinned by digest, never the channel tag")
        #expect(last[3] == site.state + "/versions/" + versions[2] && FileManager.default.fileExists(atPath: last[3] + "/pipeline.json"))
    }

    @Test func refusesAnUnsignedVersionWithAVerifyKey() throws {
        let registry = "\(registries.token)/agentsig\(UUID().uuidString.prefix(6).lowercased())"
        let project = try TemporaryDirectory()
        let keys = try TestKeyPair(in: project)
        let site = try AgentSite(registry: registry)
        defer { site.stopServer() }
        let v1 = try publishNewVersion(project, registry: registry, extra: ["--sign-key", keys.privatePath])
        let signed = try site.agent(["--verify-key", keys.publicPath])
        #expect(signed.succeeded, "\(signed.stderr)")
        #expect(site.current() == v1.pipeline_version)

        let v2 = try publishNewVersion(project, registry: registry)
        let refused = try site.agent(["--verify-key", keys.publicPath])
        #expect(refused.succeeded, "the site stays on v1, a good version: \(refused.stderr)")
        #expect(refused.stderr.contains("refused"), "\(refused.stderr)")
        let status = try site.status()
        #expect(status.version == v1.pipeline_version && status.last_attempt?.outcome == "refused" && status.last_attempt?.version == v2.pipeline_version)
        #expect(status.bad_digests == [v2.pipeline_digest])
        #expect(site.versionFolders() == [v1.pipeline_version], "nothing of the refused version is pulled")
        #expect(try site.answer() == v1.pipeline_version)
    }

    /// kill -9 during the pull (slowed to 4 MiB/s by the quirky proxy), the apply command and the health wait: after
    /// each kill `current` is a whole version, and the next run ends on the new version with nothing left beside it.
    @Test func aKilledApplyIsFinishedByTheNextRun() throws {
        let path = "agentkill\(UUID().uuidString.prefix(6).lowercased())"
        let registry = "\(registries.quirky)/\(path)"
        let project = try TemporaryDirectory()
        let site = try AgentSite(registry: registry)
        defer { site.stopServer() }
        let v1 = try publishNewVersion(project, registry: registry)
        #expect(try site.agent().succeeded)
        let definition = try randomModelsPipeline([8 << 20], named: "edge", in: project)
        let published = try edgepack(["publish", definition, "--registry", registry, "--channel", "prod", "--json", "-q"], environment: pusher)
        let v2 = try JSONDecoder().decode(ChannelRecord.self, from: Data(published.stdout.utf8))
        try registries.setQuirks(["rate": "\(4 << 20)"], match: "/v2/\(path)/")
        defer { try? registries.setQuirks([:], match: "/v2/\(path)/") }
        // The command takes 1 s, then the server comes up 1.5 s later in the background (the health wait).
        let slowStart = "sleep 1; sleep 1.5 && " + site.applyCommand
        // Each run is killed when it reaches a phase: twice mid-pull (its staging folder exists), then twice while
        // the version is pulled but not yet switched to (the apply command, the health wait).
        var killedDuringPull = 0, killedAfterPull = 0
        for phase in ["pull", "pull", "apply", "apply"] {
            let process = try startEdgepack(site.arguments(command: slowStart), environment: pusher)
            let reached = waitFor(30) {
                phase == "pull" ? FileManager.default.fileExists(atPath: site.state + "/staging")
                    : site.versionFolders().contains(v2.pipeline_version) && site.current() == v1.pipeline_version
            }
            if phase == "apply" { Thread.sleep(forTimeInterval: Double.random(in: 0...2)) }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            if reached, phase == "pull" { killedDuringPull += 1 }
            if reached, phase == "apply", site.current() == v1.pipeline_version { killedAfterPull += 1 }
            #expect([v1.pipeline_version, v2.pipeline_version].contains(site.current() ?? ""), "current is always a whole version")
        }
        #expect(killedDuringPull == 2 && killedAfterPull >= 1, "the kills landed in the pull (\(killedDuringPull)) and after it (\(killedAfterPull))")
        Thread.sleep(forTimeInterval: 3)  // the killed runs' apply commands (orphaned, not killed with them) finish first
        let finished = try site.agent()
        #expect(finished.succeeded, "\(finished.stderr)")
        #expect(site.current() == v2.pipeline_version)
        #expect(try site.answer() == v2.pipeline_version)
        #expect(site.versionFolders() == [v1.pipeline_version, v2.pipeline_version].sorted())
        let left = (try FileManager.default.contentsOfDirectory(atPath: site.state)).sorted()
        #expect(left == [".lock", "current", "status.json", "versions"], "\(left)")
    }

    /// A poll with nothing new: one manifest request (a HEAD of the channel tag), no blob, in the registry's access log.
    @Test func anIdlePollMakesOneManifestRequestAndNoBlobRequest() throws {
        let path = "agentidle\(UUID().uuidString.prefix(6).lowercased())"
        let registry = "\(registries.token)/\(path)"
        let project = try TemporaryDirectory()
        let site = try AgentSite(registry: registry)
        defer { site.stopServer() }
        _ = try publishNewVersion(project, registry: registry)
        #expect(try site.agent().succeeded)
        let log = registries.state + "/token.log"
        let before = try requests(in: log, under: path)
        let idle = try site.agent()
        #expect(idle.succeeded && idle.stdout.contains("nothing to do"), "\(idle.stderr)")
        Thread.sleep(forTimeInterval: 0.3)
        let made = Array(try requests(in: log, under: path).dropFirst(before.count))
        #expect(made.filter { $0.contains("/manifests/") }.count == 1, "\(made)")
        #expect(made.filter { $0.contains("/manifests/") }.allSatisfy { $0.contains("\"HEAD ") && $0.contains("/manifests/prod ") }, "\(made)")
        #expect(!made.contains { $0.contains("/blobs/") }, "\(made)")
    }

    /// The registry's access-log lines for requests under a repository path.
    func requests(in log: String, under path: String) throws -> [String] {
        try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map(String.init).filter { $0.contains(" /v2/\(path)/") }
    }

    /// Credentials that can only pull: the version is applied, the report is refused, said once (not on the next
    /// attempt), and the status stays local; `--report-registry` sends it elsewhere.
    @Test func aSiteThatCannotPushSaysSoOnceAndKeepsItsStatus() throws {
        let registry = "\(registries.token)/agentro\(UUID().uuidString.prefix(6).lowercased())"
        let project = try TemporaryDirectory()
        let site = try AgentSite(registry: registry)
        defer { site.stopServer() }
        let reader = ["OCI_USERNAME": "reader", "OCI_PASSWORD": "reader-pass"]
        _ = try publishNewVersion(project, registry: registry)
        let first = try edgepack(site.arguments(), environment: reader)
        #expect(first.succeeded, "\(first.stderr)")
        #expect(first.stderr.components(separatedBy: "cannot report this site's status").count == 2, "\(first.stderr)")
        #expect(!first.stderr.contains("reader-pass"))
        let status = try site.status()
        #expect(status.last_attempt?.outcome == "applied")
        _ = try publishNewVersion(project, registry: registry)
        let second = try edgepack(site.arguments(), environment: reader)
        #expect(second.succeeded && !second.stderr.contains("cannot report"), "said once: \(second.stderr)")
        let none = try edgepack(["sites", "edge", "--registry", registry], environment: pusher)
        #expect(none.succeeded && none.stdout.contains("no site reports"), "\(none.stdout)\(none.stderr)")

        let elsewhere = "\(registries.basic)/reports"
        _ = try publishNewVersion(project, registry: registry)
        let third = try edgepack(site.arguments(["--report-registry", elsewhere, "--username", "edgepack", "--password-stdin"]), environment: reader, input: "edgepack-pass")
        #expect(third.succeeded && !third.stderr.contains("cannot report"), "\(third.stderr)")
        let reported = try edgepack(["sites", "edge", "--registry", elsewhere, "--json"], environment: pusher)
        #expect(reported.succeeded && reported.stdout.contains("\"site-a\""), "\(reported.stdout)\(reported.stderr)")
    }

    /// Without --once: each change is applied as it comes; while the registry answers 500 the polls back off and the
    /// running version keeps answering; once it answers again the change is applied; SIGTERM stops it (143).
    @Test func theLoopFollowsTheChannelThroughRegistryFailuresAndStopsOnSIGTERM() throws {
        let path = "agentloop\(UUID().uuidString.prefix(6).lowercased())"
        // The fault proxy in front of the token registry (not the quirky one: TransferTests restarts the registry behind it).
        let registry = "\(registries.flaky)/\(path)"
        let direct = "\(registries.token)/\(path)"
        let project = try TemporaryDirectory()
        let site = try AgentSite(registry: registry)
        defer { site.stopServer() }
        let v1 = try publishNewVersion(project, registry: direct)
        // Through sh only to send stderr to a file (exec: the signal goes to edgepack itself).
        let errors = site.dir.file("agent.err")
        let process = try startEdgepack(["-c", "exec \"$0\" \"$@\" 2>'\(errors)'", edgepackBinary] + site.arguments(["--interval", "1s"], once: false),
                                        environment: pusher, output: site.dir.file("agent.out"), program: "/bin/sh")
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        #expect(waitFor(30) { site.current() == v1.pipeline_version }, "v1 applied")

        try registries.injectFaults(status: "500", count: 10, method: "HEAD", match: "/v2/\(path)/pipelines/")
        let v2 = try publishNewVersion(project, registry: direct)
        #expect(try site.answer() == v1.pipeline_version, "the running version keeps running")
        #expect(waitFor(60) { site.current() == v2.pipeline_version }, "v2 applied once the registry answers again")
        #expect(try site.answer() == v2.pipeline_version)

        kill(process.processIdentifier, SIGTERM)
        #expect(waitFor(10) { !process.isRunning }, "SIGTERM stops the loop")
        process.waitUntilExit()
        #expect([0, 143].contains(process.terminationStatus), "\(process.terminationStatus)")
        #expect(site.current() == v2.pipeline_version)
        let printed = try String(contentsOfFile: site.dir.file("agent.out"), encoding: .utf8)
        #expect(printed.components(separatedBy: ": applied: ").count == 3, "\(printed)")
        let warned = try String(contentsOfFile: errors, encoding: .utf8)
        #expect(warned.contains("polling again with backoff") && warned.contains("the registry answers again"), "\(warned)")
        #expect(warned.components(separatedBy: "polling again with backoff").count == 2, "said once: \(warned)")
    }

    /// `--config agent.yaml` takes the same keys as the options; options given on the command line win; an
    /// unknown key is one line naming the file and line; a pipeline, channel or site name that could leave its
    /// repository or folder is refused before anything is sent.
    @Test func theConfigFileTakesTheOptions() throws {
        let registry = "\(registries.token)/agentconf\(UUID().uuidString.prefix(6).lowercased())"
        let project = try TemporaryDirectory()
        let site = try AgentSite(registry: registry)
        defer { site.stopServer() }
        let v1 = try publishNewVersion(project, registry: registry)
        let quoted = { (text: String) in "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }
        let config = try site.dir.write("agent.yaml", """
            registry: \(registry)
            pipeline: edge
            channel: prod
            state: \(site.state)
            site: from-config
            once: true
            runtime: command
            apply-command: \(quoted(site.applyCommand))
            health-url: http://127.0.0.1:\(site.port)/
            health-timeout: 5s
            keep: 2

            """)
        let applied = try edgepack(["agent", "--config", config, "--site", "site-a"], environment: pusher)
        #expect(applied.succeeded, "\(applied.stderr)")
        #expect(try site.answer() == v1.pipeline_version)
        #expect(try site.status().site == "site-a", "the command line wins over the file")

        let wrong = try site.dir.write("wrong.yaml", "registry: \(registry)\npipeline: edge\nchanel: prod\n")
        let refused = try edgepack(["agent", "--once", "--config", wrong], environment: pusher)
        #expect(refused.status == 1 && refused.stderr.contains("wrong.yaml:3: unknown key 'chanel'"), "\(refused.stderr)")
        #expect(refused.stderr.split(separator: "\n").count == 1)

        for (option, value) in [("--pipeline", "../../etc"), ("--channel", "sha256-abc"), ("--site", "../x")] {
            let bad = try edgepack(site.arguments([option, value]), environment: pusher)
            #expect(bad.status == 64 && bad.stderr.contains("\(option) '\(value)' is not"), "\(bad.stderr)")
        }
    }

    /// `render` writes edgepack-agent.service (which systemd-analyze accepts) and an example agent.yaml the agent reads.
    @Test func renderWritesTheAgentServiceAndAnExampleConfig() throws {
        let registry = "\(registries.token)/agentrender\(UUID().uuidString.prefix(6).lowercased())"
        let project = try TemporaryDirectory()
        let definition = try randomModelsPipeline([4096], named: "edge", in: project)
        let rendered = try edgepack(["render", definition, "-o", project.file("out"), "--registry", registry])
        #expect(rendered.succeeded && rendered.stdout.contains("edgepack-agent.service") && rendered.stdout.contains("agent.yaml"), "\(rendered.stderr)")
        let example = try String(contentsOfFile: project.file("out/agent.yaml"), encoding: .utf8)
        #expect(example.contains("registry: \(registry)\npipeline: edge\nchannel: prod\nruntime: podman\n"), "\(example)")
        // The example as the agent reads it: nothing is published, so the channel points nowhere (not a config error).
        let read = try edgepack(["agent", "--config", project.file("out/agent.yaml"), "--once", "--state", project.file("state"), "--site", "s"], environment: pusher)
        #expect(read.status == 1 && read.stderr.contains("the channel prod of edge points at no version"), "\(read.stderr)")
        if isInstalled("systemd-analyze") {
            let unit = try String(contentsOfFile: project.file("out/edgepack-agent.service"), encoding: .utf8)
            try project.write("check/edgepack-agent.service", unit.replacingOccurrences(of: "/usr/local/bin/edgepack", with: edgepackBinary))
            let verified = try run("systemd-analyze", ["verify", project.file("check/edgepack-agent.service")])
            #expect(verified.succeeded, "\(verified.stdout)\(verified.stderr)")
        }
    }

    /// `--watch DIR`: a signed bundle dropped in is verified, pushed into the site's registry with the channel moved,
    /// and applied; one with a flipped byte in its model lands in DIR/rejected/ with a .reason, and nothing of it runs.
    @Test func watchedBundlesArePushedAndAppliedAndATamperedOneIsRejected() throws {
        let registry = "\(registries.token)/agentwatch\(UUID().uuidString.prefix(6).lowercased())"
        let project = try TemporaryDirectory()
        let keys = try TestKeyPair(in: project)
        let site = try AgentSite(registry: registry)
        defer { site.stopServer() }
        let inbox = site.dir.file("inbox")
        try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
        /// Exports a new version as a signed bundle into the inbox (aged past the settle time); returns its version.
        func drop(_ name: String, tamper: Bool = false) throws -> String {
            let definition = try randomModelsPipeline([4096], named: "edge", in: project)
            let staged = project.file(name)
            let exported = try edgepack(["export", definition, "-o", staged, "--sign-key", keys.privatePath])
            guard exported.succeeded else { throw TestFailure("export: \(exported.stderr)") }
            let line = exported.stdout.split(separator: "\n").first { $0.hasPrefix("pipelines/edge:") } ?? ""
            let version = String(line.dropFirst("pipelines/edge:".count).prefix { $0 != " " })
            if tamper {
                var bytes = try Data(contentsOf: URL(fileURLWithPath: staged))
                let model = try Data(contentsOf: URL(fileURLWithPath: project.file("models/m0.bin")))
                let offset = try #require(bytes.range(of: model)).lowerBound + 100
                bytes[offset] ^= 0xff
                try bytes.write(to: URL(fileURLWithPath: staged))
            }
            _ = try run("touch", ["-d", "-10 seconds", staged])
            _ = try run("mv", [staged, inbox + "/" + name])
            return version
        }
        let v1 = try drop("v1.tar")
        let first = try site.agent(["--watch", inbox, "--verify-key", keys.publicPath])
        #expect(first.succeeded, "\(first.stderr)")
        #expect(site.current() == v1)
        #expect(try site.answer() == v1)
        #expect(FileManager.default.fileExists(atPath: inbox + "/applied/v1.tar") && !FileManager.default.fileExists(atPath: inbox + "/v1.tar"))

        let v2 = try drop("v2.tar", tamper: true)
        let second = try site.agent(["--watch", inbox, "--verify-key", keys.publicPath])
        #expect(second.succeeded, "the site stays on v1: \(second.stderr)")
        #expect(second.stderr.contains("rejected \(inbox)/v2.tar"), "\(second.stderr)")
        let reason = try String(contentsOfFile: inbox + "/rejected/v2.tar.reason", encoding: .utf8)
        #expect(reason.contains("corrupt") && reason.split(separator: "\n").count == 1, "\(reason)")
        #expect(FileManager.default.fileExists(atPath: inbox + "/rejected/v2.tar"))
        #expect(site.current() == v1 && !site.versionFolders().contains(v2))
        #expect(try site.answer() == v1)
    }

    func waitFor(_ seconds: TimeInterval, _ condition: () throws -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if (try? condition()) == true { return true }
            Thread.sleep(forTimeInterval: 0.2)
        }
        return false
    }
}
