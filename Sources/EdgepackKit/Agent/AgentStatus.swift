import Foundation
import OCIKit

/// What a site runs and how its last attempt went: `STATE/status.json`, and the status artifact the site reports
/// to the registry. Field names are fixed (snake case, like the publish record).
public struct AgentStatus: Codable, Sendable, Equatable {
    public enum Outcome: String, Codable, Sendable {
        case applied, rolledBack = "rolled-back", refused, failed
    }

    public struct Attempt: Codable, Sendable, Equatable {
        public var outcome: Outcome
        /// One line: what happened, and for a failure what failed.
        public var reason: String
        public var at: String
        public var version: String?
        public var digest: String?
    }

    public var site: String
    public var pipeline: String
    public var channel: String
    public var version: String?
    public var digest: String?
    public var appliedAt: String?
    public var lastAttempt: Attempt?
    /// Digests that were refused or rolled back: not tried again until the channel names another digest.
    public var badDigests: [String] = []
    /// Versions applied, newest first: the ones kept for rollback are the first `--keep`.
    public var history: [String] = []
    public var reportedAt: String?
    /// Why the last report could not be pushed (said once, until it changes).
    public var reportError: String?

    enum CodingKeys: String, CodingKey {
        case site, pipeline, channel, version, digest, history
        case appliedAt = "applied_at", lastAttempt = "last_attempt", badDigests = "bad_digests", reportedAt = "reported_at", reportError = "report_error"
    }

    public init(site: String, pipeline: String, channel: String) {
        self.site = site
        self.pipeline = pipeline
        self.channel = channel
    }

    public static func timestamp(_ date: Date = Date()) -> String {
        PublishEvent.timestamp(date)
    }

    public static func date(_ text: String?) -> Date? {
        guard let text else { return nil }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text) ?? ISO8601DateFormatter().date(from: text)
    }

    public func json() throws -> String {
        try CanonicalJSON.prettyText(self)
    }

    public static func decode(_ bytes: [UInt8], what: String) throws -> AgentStatus {
        try CanonicalJSON.decode(AgentStatus.self, from: bytes, what: what)
    }

    /// One line, without a newline or control characters, at most 300 characters.
    static func oneLine(_ text: String) -> String {
        let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        let escaped = MessageText.escaped(flat)
        return escaped.count > 300 ? String(escaped.prefix(297)) + "..." : escaped
    }
}
