import Foundation
import OCIKit

/// Waits until a URL answers 2xx, polling twice a second, for at most `timeout` seconds.
public struct HealthCheck: Sendable {
    public let url: String
    public let timeout: TimeInterval

    public init(url: String, timeout: TimeInterval) {
        self.url = url
        self.timeout = timeout
    }

    /// Returns when healthy; throws with the last answer (or connection error) when the time is up.
    public func wait() throws {
        var options = EdgepackEnvironment.current.transportOptions(userAgent: "edgepack-agent")
        options.connectTimeoutSeconds = 2
        options.stallSeconds = 5
        let transport = HTTPTransport(options: options)
        let deadline = Date().addingTimeInterval(timeout)
        var last = "no answer"
        repeat {
            try Cancellation.check()
            do {
                let response = try transport.send(HTTPRequest(method: .get, url: url), limit: 64 << 10)
                if (200..<300).contains(response.status) { return }
                last = "answered \(response.status)"
            } catch let error as NetworkError {
                last = error.description
            }
            Thread.sleep(forTimeInterval: 0.5)
        } while Date() < deadline
        throw OCIError(.registry, "\(url) did not become healthy within \(Int(timeout))s (last: \(MessageText.escaped(last)))")
    }
}
