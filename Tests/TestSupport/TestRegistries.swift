import Foundation

/// The registries `scripts/test-registry` runs on loopback: distribution 2.8 with token auth (and a
/// fault-injecting proxy in front of it) and with basic auth. Started once per test process; the harness
/// exits when the test process does.
public struct TestRegistries: Sendable, Decodable {
    public let token: String
    public let basic: String
    public let flaky: String
    /// A registry of its own (token auth, same users), and the proxy in front of it that emulates other
    /// registries' quirks, cuts and holds transfers, counts bytes and restarts it.
    public let spare: String
    public let quirky: String
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
        removeStaleStates()
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

    /// The registries' storage from earlier test processes that are gone (a few GB each): removed, so that
    /// repeated runs cannot fill the disk. A live process's state is left alone.
    private static func removeStaleStates() {
        let temporary = NSTemporaryDirectory()
        for name in (try? FileManager.default.contentsOfDirectory(atPath: temporary)) ?? [] where name.hasPrefix("edgepack-") && name.contains("registries-") {
            guard let pid = Int32(name.split(separator: "-").last ?? ""), pid != getpid(), kill(pid, 0) != 0, errno == ESRCH else { continue }
            try? FileManager.default.removeItem(atPath: temporary + name)
        }
    }

    /// Makes the flaky proxy (or the quirky one, `proxy`) fail the next `count` requests matching `method` and
    /// `match` with `status`: an HTTP status ("500", "400", ...; "429" adds Retry-After) or "drop".
    public func injectFaults(status: String, count: Int, method: String = "", match: String, proxy: String? = nil) throws {
        let query = "status=\(status)&count=\(count)&method=\(method)&match=\(match.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? match)"
        let result = try run("curl", ["-sf", "http://\(proxy ?? flaky)/__faults?\(query)"])
        guard result.succeeded else { throw TestFailure("cannot set faults: \(result.stderr)") }
    }

    /// Asks the quirky proxy to behave as `quirks` say (keys in scripts/testregistry/quirks.py's Quirks) for the requests
    /// whose path contains `match`.
    public func setQuirks(_ quirks: [String: String], match: String) throws {
        _ = try quirkyControl("__quirks", (quirks.map { "\($0.key)=\($0.value)" } + ["match=\(encoded(match))"]).joined(separator: "&"))
    }

    /// Bytes the quirky proxy received into upload sessions (`received`), per digest uploaded, per digest downloaded.
    public struct ByteCounts: Decodable, Sendable {
        public let received: Int64
        public let uploaded: [String: Int64]
        public let downloaded: [String: Int64]
    }

    public func byteCounts(reset: Bool = false) throws -> ByteCounts {
        try JSONDecoder().decode(ByteCounts.self, from: Data(try quirkyControl("__bytes", reset ? "reset=1" : "").utf8))
    }

    /// The most requests of the quirk rule set with `match` that the quirky proxy answered at once: "manifests" and
    /// "large bodies" (over 1 MiB).
    public func mostInFlight(match: String) throws -> [String: Int] {
        try JSONDecoder().decode([String: Int].self, from: Data(try quirkyControl("__inflight", "match=\(encoded(match))").utf8))
    }

    /// How many transfers the quirky proxy has held so far.
    public func heldTransfers() throws -> Int {
        struct Held: Decodable { let held: Int }
        return try JSONDecoder().decode(Held.self, from: Data(try quirkyControl("__held", "").utf8)).held
    }

    /// Lets held transfers end (cut); returns once they have.
    public func releaseHeldTransfers() throws { _ = try quirkyControl("__release", "") }

    /// Stops the spare registry and starts it again (same storage); held transfers are released after it is back.
    public func restartSpare(pause: Double = 0.5) throws { _ = try quirkyControl("__restart", "pause=\(pause)") }

    /// Creates repositories in the spare registry when it plays one that does not create them on push.
    public func createRepositories(_ names: [String]) throws {
        _ = try quirkyControl("__repositories", "create=\(names.map(encoded).joined(separator: ","))")
    }

    private func encoded(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text }

    private func quirkyControl(_ path: String, _ query: String) throws -> String {
        let result = try run("curl", ["-sf", "http://\(quirky)/\(path)?\(query)"])
        guard result.succeeded else { throw TestFailure("quirky proxy /\(path): \(result.stderr)") }
        return result.stdout
    }

}

public struct TestFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
