import ArgumentParser
import EdgepackKit
import Foundation
import OCIKit

/// `edgepack agent`: runs at a site (see AgentRun); `edgepack agent status` prints what it recorded.
struct Agent: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Follow a channel at a site: pull each new version, verify it, start it, check its health, roll back when it fails.",
        subcommands: [AgentRun.self, AgentStatusCommand.self],
        defaultSubcommand: AgentRun.self
    )
}

struct AgentRun: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Follow a channel and apply each version it names (the default: 'edgepack agent --once …' is 'edgepack agent run --once …').",
        discussion: "Exit status with --once: 0 when the site ends on a version that was applied and found healthy, 1 otherwise.\n\n"
            + HelpText.credentials
    )

    @OptionGroup var options: AgentOptions
    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
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
        let result: EdgeAgent.PollResult
        do {
            result = try agent.poll()
        } catch let error as OCIError where error.code != .cancelled {
            // The registry could not be asked: the site keeps what it runs.
            FileHandle.standardError.write(Data("edgepack: error: \(ErrorAdvice.line(for: error))\n".utf8))
            throw ExitCode(agent.runsGoodVersion ? 0 : 1)
        }
        let status = try agent.currentStatus()
        switch result {
        case .idle:
            print("\(settings.site): \(status.version ?? "no version") is current on \(settings.channel); nothing to do")
        case .attempted(let outcome):
            let line = "\(settings.site): \(outcome.rawValue): \(status.lastAttempt?.reason ?? "")"
            if outcome == .applied { print(line) } else { FileHandle.standardError.write(Data((line + "\n").utf8)) }
        }
        if !agent.runsGoodVersion { throw ExitCode(1) }
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
