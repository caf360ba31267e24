import Foundation

/// Debian's docker-registry in proxy mode (`proxy.remoteurl`) in front of a registry of `TestRegistries`: a regional
/// pull-through cache, anonymous and read-only, that pulls from its remote with the given account. Run by
/// `scripts/test-registry cache`; it stops with `stop()` or when the test process exits.
public final class PullThroughCache: @unchecked Sendable {
    public let address: String
    /// The cache registry's own access log.
    public let log: String
    private let process: Process
    private let state: TemporaryDirectory

    public init(remote: String, username: String, password: String) throws {
        state = try TemporaryDirectory("edgepack-cache")
        process = Process()
        process.executableURL = URL(fileURLWithPath: repositoryRoot + "/scripts/test-registry")
        process.arguments = ["cache", "--state", state.path, "--remote", remote, "--username", username, password]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        struct Ready: Decodable { let cache: String }
        log = state.file("cache.log")
        for _ in 0..<400 {
            if let data = FileManager.default.contents(atPath: state.file("cache.json")), let ready = try? JSONDecoder().decode(Ready.self, from: data) {
                address = ready.cache
                return
            }
            guard process.isRunning else { throw TestFailure("scripts/test-registry cache exited early") }
            Thread.sleep(forTimeInterval: 0.05)
        }
        process.terminate()
        throw TestFailure("the pull-through cache did not become ready")
    }

    public func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    deinit { stop() }
}
