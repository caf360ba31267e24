import Foundation

/// When the agent polls next: every `interval` with ±10% jitter (sites started together do not poll together);
/// after a failed poll, the interval doubled for each failure in a row, capped at ten intervals (or a minute,
/// whichever is longer). Retry-After answers are honoured inside each request by the client's retry policy.
public struct PollSchedule: Sendable {
    public let interval: TimeInterval
    public private(set) var failures = 0

    public init(interval: TimeInterval) {
        self.interval = interval
    }

    public var cap: TimeInterval { max(interval * 10, 60) }

    public mutating func succeeded() -> TimeInterval {
        failures = 0
        return Self.jittered(interval)
    }

    public mutating func failed() -> TimeInterval {
        failures += 1
        return Self.jittered(min(interval * pow(2, Double(failures)), cap))
    }

    static func jittered(_ seconds: TimeInterval) -> TimeInterval {
        seconds * Double.random(in: 0.9...1.1)
    }
}
