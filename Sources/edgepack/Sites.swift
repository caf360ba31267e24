import ArgumentParser
import EdgepackKit
import Foundation
import OCIKit

struct Sites: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sites",
        abstract: "List the sites that follow a pipeline: the version each runs, since when, its last attempt and when it last reported.",
        discussion: "Sites running 'edgepack agent' report to PREFIX/sites/PIPELINE (one tag per site).\n\n" + HelpText.credentials
    )

    @Argument(help: "The pipeline name.")
    var pipeline: String

    @Option(help: "The registry prefix the sites report to, e.g. ghcr.io/acme/edge.")
    var registry: String

    @Flag(help: "Print JSON: every site's report as it sent it, with reported_seconds_ago.")
    var json = false

    @OptionGroup var connection: ConnectionOptions

    func run() throws {
        let layout = try RegistryLayout(prefix: registry)
        try Repository.checkComponent(pipeline, as: "pipeline name")
        let client = try connection.client(host: layout.host, resolver: try connection.credentials())
        let reports = try SiteReports(client: client, layout: layout, pipeline: pipeline).all()
        let now = Date()
        let age = { (status: AgentStatus) in AgentStatus.date(status.reportedAt).map { max(0, Int(now.timeIntervalSince($0))) } }
        if json {
            struct Row: Encodable {
                var status: AgentStatus
                var reportedSecondsAgo: Int?
                func encode(to encoder: any Encoder) throws {
                    try status.encode(to: encoder)
                    var container = encoder.container(keyedBy: Key.self)
                    try container.encode(reportedSecondsAgo, forKey: Key(stringValue: "reported_seconds_ago"))
                }
                struct Key: CodingKey {
                    var stringValue: String
                    var intValue: Int? { nil }
                    init(stringValue: String) { self.stringValue = stringValue }
                    init?(intValue: Int) { nil }
                }
            }
            print(try CanonicalJSON.prettyText(reports.map { Row(status: $0, reportedSecondsAgo: age($0)) }))
            return
        }
        guard !reports.isEmpty else {
            print("no site reports for \(pipeline) under \(layout.prefix)")
            return
        }
        let rows = reports.map { status -> [String] in
            let attempt = status.lastAttempt
            let outcome = attempt.map { $0.outcome == .applied ? $0.outcome.rawValue : "\($0.outcome.rawValue) \($0.version ?? "")" } ?? "-"
            return [status.site, status.version ?? "-", status.appliedAt ?? "-", outcome, attempt?.reason ?? "-", age(status).map(Self.ago) ?? "-"]
        }
        print(Table.render(header: ["SITE", "VERSION", "SINCE", "LAST ATTEMPT", "REASON", "REPORTED"], rows: rows))
    }

    /// `42s ago`, `5m ago`, `3h ago`, `2d ago`.
    static func ago(_ seconds: Int) -> String {
        switch seconds {
        case ..<120: "\(seconds)s ago"
        case ..<7200: "\(seconds / 60)m ago"
        case ..<172_800: "\(seconds / 3600)h ago"
        default: "\(seconds / 86400)d ago"
        }
    }
}
