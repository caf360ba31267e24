import ArgumentParser
import Foundation
import EdgepackKit
import OCIKit

struct Login: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Check credentials against a registry and save them in docker's config.json, as 'docker login' does.",
        discussion: "On a terminal, asks for the username and password (not echoed). In CI: --username NAME --password-stdin < secret."
    )

    @Argument(help: "The registry host, e.g. ghcr.io or localhost:5000.")
    var registry: String

    @OptionGroup var connection: ConnectionOptions

    func validate() throws {
        guard connection.username != nil || LoginPrompt.isAvailable else {
            throw ValidationError("login prompts for a username and password on a terminal; without one, pass --username and --password-stdin")
        }
    }

    func run() throws {
        let host = DockerConfigHost.normalize(registry)
        var resolver = try connection.credentials(host: host)
        if connection.username == nil {
            let username = try LoginPrompt.username(for: host)
            resolver = EdgepackEnvironment.current.credentials(explicit: .password(username: username, password: try LoginPrompt.password(for: host)))
        }
        let credential = try resolver.credential(for: host)
        _ = try connection.client(host: host, resolver: resolver)
        var config = try DockerConfig()
        try config.store(credential, for: host)
        print("Login Succeeded (saved in \(config.path))")
    }
}

struct Logout: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logout", abstract: "Remove a registry's saved credentials from docker's config.json.")

    @Argument(help: "The registry host.")
    var registry: String

    func run() throws {
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
