import Foundation

/// The registries `scripts/test-registry` runs on loopback: distribution 2.8 with token auth (and a
/// fault-injecting proxy in front of it) and with basic auth. Started once per test process; the harness
/// exits when the test process does.
public struct TestRegistries: Sendable, Decodable {
    public let token: String
    public let basic: String
    public let flaky: String
    public let tls: String
    public let ca_file: String
    public let token_server: String
    public let users: [String: String]
    public let state: String

    public static let shared = start("registries")

    /// A second, independent harness (its own token server and keys): a "source" registry to copy images
    /// from into `shared`, with the same users.
    public static let source = start("source-registries")

    private static func start(_ label: String) -> TestRegistries {
        let state = NSTemporaryDirectory() + "edgepack-\(label)-\(getpid())"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: repositoryRoot + "/scripts/test-registry")
        process.arguments = ["serve", "--state", state]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice  // its logs are in the state directory
        do { try process.run() } catch { fatalError("cannot start scripts/test-registry: \(error)") }
        let ready = state + "/registries.json"
        for _ in 0..<400 {
            if let data = FileManager.default.contents(atPath: ready), let registries = try? JSONDecoder().decode(TestRegistries.self, from: data) {
                return registries
            }
            guard process.isRunning else { fatalError("scripts/test-registry exited early (is docker-registry installed? run scripts/setup)") }
            Thread.sleep(forTimeInterval: 0.05)
        }
        fatalError("scripts/test-registry did not become ready")
    }

    /// Makes the flaky proxy fail the next `count` requests matching `method` and `match` with `status`
    /// ("500", "429", or "drop").
    public func injectFaults(status: String, count: Int, method: String = "", match: String) throws {
        let query = "status=\(status)&count=\(count)&method=\(method)&match=\(match.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? match)"
        let result = try run("curl", ["-sf", "http://\(flaky)/__faults?\(query)"])
        guard result.succeeded else { throw TestFailure("cannot set faults: \(result.stderr)") }
    }

}

public struct TestFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
