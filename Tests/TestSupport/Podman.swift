import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Debian's podman with a configuration of the test's own: its own image store (vfs, in a temporary directory),
/// registries.conf that lets it pull from the loopback test registries over plain HTTP, its own auth file, and a
/// `CONTAINERS_CONF` with what these machines need to run a container at all: `nofile`/`nproc` ulimits of 1024,
/// the runc runtime (crun refuses the machines' hybrid cgroups), cgroupfs (no systemd) and events in a file.
/// Containers share the host's network (`netns = "host"`), so every connection stays on loopback; port
/// mappings are then moot, and the stand-in engine listens where `EDGEPACK_STANDIN_LISTEN` (set for every
/// container here) says. Removing the sandbox removes its containers and volumes, then its image store.
public final class PodmanSandbox: @unchecked Sendable {
    public let directory: TemporaryDirectory
    /// The loopback port the stand-in engine listens on in this sandbox's containers.
    public let enginePort: Int
    /// CONTAINERS_CONF and friends: give it to podman and to anything that runs podman (podman-compose, a shell).
    public let environment: [String: String]

    public init(registries: [String]) throws {
        // A short name: podman's exit command (`container cleanup`, which records a container's exit) refuses a
        // run root over 50 characters, and `podman run` then waits 20 s for an exit that is never recorded.
        directory = try TemporaryDirectory("epm", unique: String(UUID().uuidString.prefix(8)).lowercased())
        enginePort = try freeLoopbackPort()
        let runc = ["/usr/sbin/runc", "/usr/bin/runc"].contains { FileManager.default.isExecutableFile(atPath: $0) }
        let containers = try directory.write("containers.conf", """
            [containers]
            default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
            netns = "host"
            env = ["EDGEPACK_STANDIN_LISTEN=127.0.0.1:\(enginePort)"]
            [engine]
            \(runc ? "runtime = \"runc\"" : "")
            cgroup_manager = "cgroupfs"
            events_logger = "file"
            events_logfile_path = "\(directory.file("events.log"))"
            tmp_dir = "\(directory.file("tmp"))"

            """)
        let storage = try directory.write("storage.conf", """
            [storage]
            driver = "vfs"
            graphroot = "\(directory.file("storage"))"
            runroot = "\(directory.file("run"))"

            """)
        let registriesConf = try directory.write("registries.conf", "unqualified-search-registries = []\n"
            + registries.map { "[[registry]]\nlocation = \"\($0)\"\ninsecure = true\n" }.joined())
        try directory.write("auth.json", "{\"auths\": {}}\n")
        environment = [
            "CONTAINERS_CONF": containers, "CONTAINERS_STORAGE_CONF": storage, "CONTAINERS_REGISTRIES_CONF": registriesConf,
            "REGISTRY_AUTH_FILE": directory.file("auth.json"),
        ]
    }

    deinit {
        _ = try? podman(["rm", "--force", "--all", "--time", "0"])
        _ = try? podman(["volume", "rm", "--force", "--all"])
    }

    @discardableResult
    public func podman(_ arguments: [String], input: String? = nil) throws -> ProcessResult {
        try run("podman", arguments, environment: environment, input: input)
    }

    /// `podman login`, as a user would before running a published pipeline from a private registry.
    public func login(_ registry: String, username: String, password: String) throws {
        let result = try podman(["login", "--username", username, "--password-stdin", registry], input: password)
        guard result.succeeded else { throw TestFailure("podman login \(registry): \(result.stderr)") }
    }

    /// Whether podman runs a container from `image` (a local one: no registry involved) on this machine:
    /// `.runs`; `.cannotRunContainers` when the container runtime itself fails (what a test may skip on: the
    /// machine cannot run containers), else `.failed` (the sandbox or the image is wrong: a test failure).
    public enum Probe: Equatable { case runs, cannotRunContainers(String), failed(String) }

    public func probe(_ image: String, arguments: [String]) throws -> Probe {
        let result = try runClosingInheritedDescriptors("podman", ["run", "--rm", image] + arguments, environment: environment)
        guard !result.succeeded else { return .runs }
        let reason = result.stderr.split(separator: "\n").last.map(String.init) ?? "exit status \(result.status)"
        let runtimeFailures = ["OCI runtime", "runc", "crun", "cgroup", "namespace", "operation not permitted"]
        return runtimeFailures.contains { reason.localizedCaseInsensitiveContains($0) } ? .cannotRunContainers(reason) : .failed(reason)
    }

    /// `GET http://127.0.0.1:PORT/PATH` from the engine in this sandbox, once it answers (nil if it never did
    /// within `timeout`, or `stillRunning` said the container is gone).
    public func engineAnswer(_ path: String, timeout: TimeInterval = 120, stillRunning: () -> Bool = { true }) throws -> Data? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let result = try run("curl", ["-sf", "--max-time", "5", "http://127.0.0.1:\(enginePort)/\(path)"])
            if result.succeeded { return Data(result.stdout.utf8) }
            guard stillRunning() else { return nil }
            Thread.sleep(forTimeInterval: 0.25)
        }
        return nil
    }
}

/// A command line that runs `program` with every inherited descriptor but 0-2 closed (through a small Python
/// parent). Foundation's Process learns of an exit through a socket its child inherits; conmon, which podman
/// starts and which outlives a detached `podman run` or `podman-compose up -d`, would keep it (Go passes
/// inherited descriptors on) and make the test wait for the container to stop.
public func closingInheritedDescriptors(_ program: String, _ arguments: [String]) -> (String, [String]) {
    ("python3", ["-c", "import subprocess, sys; sys.exit(subprocess.call(sys.argv[1:], close_fds=True))", program] + arguments)
}

public func runClosingInheritedDescriptors(_ program: String, _ arguments: [String], environment: [String: String]? = nil, directory: String? = nil) throws -> ProcessResult {
    let (launcher, launcherArguments) = closingInheritedDescriptors(program, arguments)
    return try run(launcher, launcherArguments, environment: environment, directory: directory)
}

/// A TCP port on 127.0.0.1 that nothing listens on right now.
public func freeLoopbackPort() throws -> Int {
    let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard socket >= 0 else { throw TestFailure("socket: errno \(errno)") }
    defer { close(socket) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0 }
    }
    guard bound else { throw TestFailure("bind 127.0.0.1:0: errno \(errno)") }
    return Int(UInt16(bigEndian: address.sin_port))
}
