import ArgumentParser
import EdgepackKit
import Foundation
import OCIKit

/// `edgepack registry up|down|status`: a registry of one's own, for trying edgepack and for small sites.
struct LocalRegistryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "registry",
        abstract: "Run a local OCI registry (Debian's docker-registry) in the background, for trying edgepack and for small sites.",
        subcommands: [Up.self, Down.self, Status.self, Password.self]
    )

    struct StateOption: ParsableArguments {
        @Option(help: "The folder holding the registry's config, password, pid and log (default: $XDG_STATE_HOME/edgepack/registry, else /var/lib/edgepack/registry as root, ~/.local/state/edgepack/registry otherwise).")
        var state: String?

        var registry: LocalRegistry { LocalRegistry(state: state.map(PathArgument.absolute) ?? LocalRegistry.defaultState()) }
    }

    struct Up: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "up",
            abstract: "Start the registry (or say where it already runs) and print how to log in.",
            discussion: "Plain HTTP on loopback by default, with htpasswd auth: user 'edgepack', a random password kept in STATE/password (mode 0600). The storage stays when the registry stops."
        )

        @OptionGroup var state: StateOption

        @Option(help: "The port to listen on.")
        var port = 5000

        @Option(help: "The address to listen on (0.0.0.0: every interface, for a site's other machines; clients then need TLS or their own --plain-http opt-in).")
        var address = "127.0.0.1"

        @Option(help: "The folder the registry stores blobs and manifests in (default: STATE/storage).")
        var storage: String?

        @Flag(help: "No authentication (anyone who reaches the port can push).")
        var noAuth = false

        func validate() throws {
            guard (1...65535).contains(port) else { throw ValidationError("--port must be between 1 and 65535") }
            guard inet_addr(address) != INADDR_NONE || address == "255.255.255.255" else {
                throw ValidationError("--address takes an IPv4 address of this machine such as 127.0.0.1 or 0.0.0.0, got '\(address)'")
            }
        }

        func run() throws {
            let registry = state.registry
            guard let executable = LocalRegistry.findExecutable() else {
                throw CommandError("the registry program is not installed: install Debian's docker-registry (apt-get install docker-registry), or put distribution's 'registry' on PATH")
            }
            let settings = LocalRegistry.Settings(address: address, port: port, storage: storage.map(PathArgument.absolute) ?? registry.state + "/storage",
                                                  authenticated: !noAuth)
            let (status, started) = try registry.up(settings, executable: executable)
            print(started ? "started \(status.settings.host) (pid \(status.pid))" : "already running at \(status.settings.host) (pid \(status.pid))")
            StatusLines.print(status, state: self.state.state)
        }
    }

    struct Down: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "down", abstract: "Stop the registry that 'registry up' started; its storage stays.")

        @OptionGroup var state: StateOption

        func run() throws {
            let registry = state.registry
            print(try registry.down() ? "stopped the registry of \(registry.state)" : "no registry of \(registry.state) is running")
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "status",
            abstract: "Print where the registry runs and a ready-to-paste login line (exit 3 when it is not running)."
        )

        @OptionGroup var state: StateOption

        func run() throws {
            let registry = state.registry
            guard let status = try registry.status() else {
                print("not running (state \(registry.state)); start it with 'edgepack registry up'")
                throw ExitCode(3)
            }
            print("running at \(status.settings.host) (pid \(status.pid))")
            StatusLines.print(status, state: self.state.state)
        }
    }

    struct Password: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "password",
            abstract: "Print the registry's password, for a pipe: edgepack registry password | edgepack login localhost:5000 --username edgepack --password-stdin"
        )

        @OptionGroup var state: StateOption

        func run() throws {
            print(try state.registry.password())
        }
    }

    enum StatusLines {
        static func print(_ status: LocalRegistry.Status, state: String?) {
            Swift.print("storage: \(status.settings.storage)")
            Swift.print("log:     \(status.log)")
            if status.passwordFile != nil {
                let state = state.map { " --state \(ShellWord.quoted($0))" } ?? ""
                Swift.print("log in:  edgepack registry password\(state) | edgepack login \(status.settings.host) --username \(LocalRegistry.username) --password-stdin")
            } else {
                Swift.print("no authentication: publish with --registry \(status.settings.host)/NAME")
            }
        }
    }
}
