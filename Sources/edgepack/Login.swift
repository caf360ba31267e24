import ArgumentParser
import Foundation
import OCIKit

struct Login: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check credentials against a registry and save them in docker's config.json, as 'docker login' does."
    )

    @Argument(help: "The registry host, e.g. ghcr.io or localhost:5000.")
    var registry: String

    @OptionGroup var connection: ConnectionOptions

    func validate() throws {
        guard connection.username != nil else { throw ValidationError("login needs --username and --password-stdin") }
    }

    func run() async throws {
        let host = DockerConfigHost.normalize(registry)
        let resolver = try connection.credentials()
        let credential = try resolver.credential(for: host)
        _ = try connection.client(host: host, resolver: resolver)
        var config = try DockerConfig()
        try config.store(credential, for: host)
        print("Login Succeeded (saved in \(config.path))")
    }
}

struct Logout: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Remove a registry's saved credentials from docker's config.json.")

    @Argument(help: "The registry host.")
    var registry: String

    func run() async throws {
        var config = try DockerConfig()
        let host = DockerConfigHost.normalize(registry)
        print(try config.remove(host: host) ? "Removed credentials for \(host)" : "Not logged in to \(host)")
    }
}

enum DockerConfigHost {
    /// `https://ghcr.io/` -> `ghcr.io`.
    static func normalize(_ text: String) -> String {
        var host = text
        for scheme in ["https://", "http://"] where host.hasPrefix(scheme) { host.removeFirst(scheme.count) }
        return String(host.split(separator: "/").first ?? "")
    }
}
