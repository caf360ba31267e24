import ArgumentParser
import EdgepackKit
import Foundation
import OCIKit

/// `edgepack agent`: runs at a site (see AgentRun); `edgepack agent status` prints what it recorded.
struct Agent: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Follow a channel at a site: pull each new version, verify it, start it, check its health, roll back when it fails.",
        subcommands: [AgentRun.self, AgentStatusCommand.self],
        defaultSubcommand: AgentRun.self
    )
}

struct AgentRun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Follow a channel and apply each version it names (the default: 'edgepack agent --once …' is 'edgepack agent run --once …').",
        discussion: "Exit status with --once: 0 when the site ends on a version that was applied and found healthy, 1 otherwise.\n\n"
            + HelpText.credentials
    )

    @OptionGroup var options: AgentOptions
    @OptionGroup var connection: ConnectionOptions

    func run() throws {
        let settings = try options.settings()
        let layout = settings.layout
        let resolver = try connection.credentials()
        let client = try connection.client(host: Publisher.split(layout).host, resolver: resolver)
        let agent = try EdgeAgent(client: client, settings: settings, state: AgentStateDirectory(path: options.stateDirectory()),
                                  runtime: try options.makeRuntime(client: client, credential: try resolver.lookup(for: layout.host).credential))
        let reportLayout = try options.reportRegistry.map { try RegistryLayout(prefix: $0) } ?? layout
        let reporter = StatusReporter(destination: "\(reportLayout.prefix)/sites/\(settings.pipeline)", connect: {
            let reportClient = reportLayout.host == layout.host ? client : try connection.client(host: reportLayout.host, resolver: resolver)
            return SiteReports(client: reportClient, layout: reportLayout, pipeline: settings.pipeline)
        }, warn: { FileHandle.standardError.write(Data("edgepack: warning: \($0)\n".utf8)) })
        agent.onAttempt = reporter.report
        let inbox = options.watch.map { BundleInbox(folder: $0) }
        let drainInbox = {
            guard let inbox else { return }
            let taken = inbox.drain { try AgentBundleIntake(client: client, settings: settings).push($0) }
            for name in taken.applied { FileHandle.standardOutput.write(Data("\(settings.site): pushed \(inbox.folder)/\(name) (moved to applied/)\n".utf8)) }
            for name in taken.rejected {
                let reason = (try? String(contentsOfFile: "\(inbox.folder)/rejected/\(name).reason", encoding: .utf8)) ?? ""
                FileHandle.standardError.write(Data("\(settings.site): rejected \(inbox.folder)/\(name): \(reason.trimmingCharacters(in: .newlines)) (moved to rejected/)\n".utf8))
            }
        }
        if options.once {
            drainInbox()
            try once(agent, settings: settings)
        } else {
            try loop(agent, settings: settings, before: drainInbox)
        }
    }

    /// One poll; exit status 0 when the site ends on a good version.
    private func once(_ agent: EdgeAgent, settings: AgentSettings) throws {
        let result: EdgeAgent.PollResult
        do {
            result = try agent.poll()
        } catch let error as OCIError where error.code != .cancelled {
            // The registry could not be asked: the site keeps what it runs.
            FileHandle.standardError.write(Data("edgepack: error: \(ErrorAdvice.line(for: error))\n".utf8))
            throw ExitCode(agent.runsGoodVersion ? 0 : 1)
        }
        if case .idle = result {
            print("\(settings.site): \(try agent.currentStatus().version ?? "no version") is current on \(settings.channel); nothing to do")
        }
        try say(result, agent: agent, settings: settings)
        if !agent.runsGoodVersion { throw ExitCode(1) }
    }

    /// Polls until SIGTERM or SIGINT, which stop it between polls or at a safe point of an apply (`current` is
    /// switched by one rename: it names the old version or the new one). While the registry cannot be reached,
    /// polls back off and the running version keeps running.
    private func loop(_ agent: EdgeAgent, settings: AgentSettings, before: () -> Void) throws {
        var schedule = PollSchedule(interval: try options.intervalSeconds())
        var lastError: String?
        while !Cancellation.isRequested {
            let delay: TimeInterval
            before()
            do {
                let result = try agent.poll()
                if lastError != nil { FileHandle.standardError.write(Data("edgepack: the registry answers again\n".utf8)) }
                lastError = nil
                try say(result, agent: agent, settings: settings)
                delay = schedule.succeeded()
            } catch let error as OCIError where error.code != .cancelled {
                delay = schedule.failed()
                let line = ErrorAdvice.line(for: error)
                // The same failure again, tried for another while, is not news.
                let reason = line.replacing(/,? \(?\d+ tries over [0-9.]+ s\)?/, with: "")
                if reason != lastError {
                    FileHandle.standardError.write(Data("edgepack: warning: \(line); polling again with backoff (up to \(Int(schedule.cap))s), the running version keeps running\n".utf8))
                }
                lastError = reason
            }
            do {
                try Cancellation.sleep(seconds: delay)
            } catch {
                return
            }
        }
    }

    /// An attempt's outcome: applied on stdout, anything else on stderr.
    private func say(_ result: EdgeAgent.PollResult, agent: EdgeAgent, settings: AgentSettings) throws {
        guard case .attempted(let outcome) = result else { return }
        let line = "\(settings.site): \(outcome.rawValue): \(try agent.currentStatus().lastAttempt?.reason ?? "")"
        if outcome == .applied {
            FileHandle.standardOutput.write(Data((line + "\n").utf8))  // unbuffered: a service's log shows it at once
        } else {
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
    }
}

struct AgentStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Print the agent's status (STATE/status.json): what the site runs and how the last attempt went."
    )

    @Option(help: "The agent's state folder (default: /var/lib/edgepack as root, else $XDG_STATE_HOME/edgepack).", completion: .directory)
    var state: String?

    func run() throws {
        let directory = AgentStateDirectory(path: state ?? AgentOptions.defaultStateDirectory())
        guard let status = try directory.readStatus() else {
            throw CommandError("no agent status in \(directory.path): run 'edgepack agent --once …' with --state \(directory.path) first")
        }
        print(try status.json())
    }
}

extension AgentStatusCommand: MakesNoSharedScratch {}
