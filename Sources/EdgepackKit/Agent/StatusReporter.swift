import Foundation
import OCIKit

/// Pushes the status after every attempt. When the registry refuses (read-only credentials, a pull-through cache,
/// unreachable), it says so once — again only when the reason changes — and the status stays local.
public final class StatusReporter: @unchecked Sendable {
    private let connect: () throws -> SiteReports
    private var reports: SiteReports?
    private let warn: (String) -> Void
    private let destination: String

    /// `connect` makes the client lazily: a site that only reads never opens a second connection it cannot use.
    public init(destination: String, connect: @escaping () throws -> SiteReports, warn: @escaping (String) -> Void) {
        self.destination = destination
        self.connect = connect
        self.warn = warn
    }

    /// The status as it should be saved: with `reported_at` when the push went through, else `report_error`.
    public func report(_ status: AgentStatus) -> AgentStatus {
        var sent = status
        sent.reportedAt = AgentStatus.timestamp()
        sent.reportError = nil
        do {
            let reports = try self.reports ?? connect()
            self.reports = reports
            try reports.push(sent)
            return sent
        } catch {
            let reason = AgentStatus.oneLine((error as? OCIError)?.message ?? String(describing: error))
            if status.reportError != reason {
                warn("cannot report this site's status to \(destination) (\(reason)); it is kept in status.json only, and reported once the registry takes it")
            }
            var kept = status
            kept.reportError = reason
            return kept
        }
    }
}
