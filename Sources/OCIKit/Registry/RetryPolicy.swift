import Foundation

/// When and how long to wait before trying a request again: on 5xx, 429 and dropped connections, with
/// exponential backoff and jitter, honouring `Retry-After` (capped).
public struct RetryPolicy: Sendable {
    public var attempts = 5
    public var baseDelay: TimeInterval = 0.25
    public var maxDelay: TimeInterval = 8
    public var maxRetryAfter: TimeInterval = 30

    public init() {}

    public static let none: RetryPolicy = {
        var policy = RetryPolicy()
        policy.attempts = 1
        return policy
    }()

    static func isRetryable(status: Int) -> Bool {
        status == 429 || status == 408 || (500...599).contains(status) && status != 501 && status != 505
    }

    func delay(attempt: Int, retryAfter: String?) -> TimeInterval {
        if let retryAfter, let seconds = TimeInterval(retryAfter.trimmingCharacters(in: .whitespaces)) {
            return min(max(seconds, 0), maxRetryAfter)
        }
        let exponential = min(baseDelay * pow(2, Double(attempt)), maxDelay)
        return exponential * Double.random(in: 0.5...1.0)
    }
}
