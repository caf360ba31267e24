import Foundation

/// `scripts/hostile-registry` running one case: a registry on loopback that misbehaves in that one way, and
/// "the other host" (another port) that logs every request it gets with its headers. Both stop by themselves
/// after `lifetime` seconds, and when this value is released.
public final class HostileRegistry: @unchecked Sendable {
    /// A request the other host received.
    public struct Request: Decodable, Sendable {
        public let method: String
        public let path: String
        public let headers: [String: String]

        public var authorization: String? { headers.first { $0.key.lowercased() == "authorization" }?.value }
    }

    /// `127.0.0.1:PORT` of the hostile registry, and of the other host.
    public let registry: String
    public let other: String
    private let directory: TemporaryDirectory
    private let process: Process

    public init(_ scenario: String, auth: String = "basic", lifetime: Int = 30) throws {
        directory = try TemporaryDirectory("edgepack-hostile")
        let ready = directory.file("ready.json")
        process = Process()
        process.executableURL = URL(fileURLWithPath: repositoryRoot + "/scripts/hostile-registry")
        process.arguments = ["--case", scenario, "--auth", auth, "--lifetime", String(lifetime), "--ready", ready, "--log", directory.file("other.jsonl")]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        struct Ready: Decodable { let registry: String; let other: String }
        for _ in 0..<200 {
            if let data = FileManager.default.contents(atPath: ready), let addresses = try? JSONDecoder().decode(Ready.self, from: data) {
                (registry, other) = (addresses.registry, addresses.other)
                return
            }
            guard process.isRunning else { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        if process.isRunning { process.terminate() }
        throw TestFailure("scripts/hostile-registry --case \(scenario) did not start")
    }

    deinit { if process.isRunning { process.terminate() } }

    /// Every request the other host received so far, in order.
    public func otherHostRequests() throws -> [Request] {
        let text = (try? String(contentsOfFile: directory.file("other.jsonl"), encoding: .utf8)) ?? ""
        return try text.split(separator: "\n").map { try JSONDecoder().decode(Request.self, from: Data($0.utf8)) }
    }

    /// The paths of the requests the registry itself received (the `tags-escape` case notes them).
    public func registryRequestPaths() -> [String] {
        let text = (try? String(contentsOfFile: directory.file("other.jsonl.registry"), encoding: .utf8)) ?? ""
        struct Event: Decodable { let path: String? }
        return text.split(separator: "\n").compactMap { try? JSONDecoder().decode(Event.self, from: Data($0.utf8)) }.compactMap(\.path)
    }

    /// A token request the registry answered (the `slow-token` case notes them): its scopes, and when it came and
    /// was answered (seconds since 1970).
    public struct TokenRequest: Decodable, Sendable {
        public let scopes: [String]
        public let start: Double
        public let end: Double
    }

    /// Every token request answered so far (the `slow-token` case).
    public func tokenRequests() -> [TokenRequest] {
        let text = (try? String(contentsOfFile: directory.file("other.jsonl.registry"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { try? JSONDecoder().decode(TokenRequest.self, from: Data($0.utf8)) }
    }

    /// The bytes of an endless body the registry managed to send before the client hung up (nil: none yet).
    public func endlessBytesSent() -> Int? {
        let text = (try? String(contentsOfFile: directory.file("other.jsonl.registry"), encoding: .utf8)) ?? ""
        struct Event: Decodable { let sent: Int }
        return text.split(separator: "\n").compactMap { try? JSONDecoder().decode(Event.self, from: Data($0.utf8)) }.last?.sent
    }
}
