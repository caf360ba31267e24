import Foundation
import OCIKit

/// One version as the agent applies it: pulled into `folder`, pinned to its pipeline digest.
public struct AgentVersion: Sendable, Equatable {
    public var version: String
    public var digest: String
    public var folder: String
    /// `PREFIX/pipelines/NAME@sha256:…`: what an engine is told to run, never the moving channel tag.
    public var pinnedReference: String
}

/// How a version is started at the site. Starting again the version that ran before is how a rollback happens.
public protocol AgentRuntime: Sendable {
    /// Starts `version` (replacing whatever this runtime started before); throws when it cannot start.
    func start(_ version: AgentVersion) throws
    /// Where the engine answers when no health URL is given.
    func defaultHealthURL(for version: AgentVersion) -> String?
    /// Whether `start` returns only once the version is healthy (helm's `--wait`): then no health URL is polled
    /// unless one is given.
    var waitsForHealth: Bool { get }
}

extension AgentRuntime {
    public var waitsForHealth: Bool { false }
}

/// `--runtime command`: a shell command run with `EDGEPACK_VERSION`, `EDGEPACK_DIGEST`, `EDGEPACK_DIR` (the
/// version's folder) and `EDGEPACK_PIPELINE_URL` (pinned by digest) set; it must exit 0.
public struct CommandRuntime: AgentRuntime {
    public let command: String

    public init(command: String) {
        self.command = command
    }

    public func start(_ version: AgentVersion) throws {
        let environment = ["EDGEPACK_VERSION": version.version, "EDGEPACK_DIGEST": version.digest, "EDGEPACK_DIR": version.folder,
                           "EDGEPACK_PIPELINE_URL": version.pinnedReference]
        let status = try ChildProcess.run("/bin/sh", ["-c", command], environment: environment)
        guard status == 0 else {
            throw OCIError(.unsupported, "the apply command exited with status \(status) for version \(version.version)")
        }
    }

    public func defaultHealthURL(for version: AgentVersion) -> String? { nil }
}

/// Runs a program and waits for it, without Foundation's Process, and with no descriptor but 0, 1 and 2: a program
/// that leaves a daemon behind (a health server, conmon) must not hold the agent's files and sockets, nor keep
/// whoever waits for the agent waiting on a descriptor the daemon inherited.
enum ChildProcess {
    /// `outputToStderr`: the program's standard output goes to standard error (a tool's chatter is not the agent's output).
    /// `outputFile`: both its outputs go to that file instead (created or truncated, mode 0600).
    static func run(_ program: String, _ arguments: [String], environment extra: [String: String] = [:], outputToStderr: Bool = false,
                    outputFile: String? = nil) throws -> Int32 {
        let environment = ProcessInfo.processInfo.environment.merging(extra) { $1 }.map { "\($0.key)=\($0.value)" }
        let argv = ([program] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        closeInheritedDescriptors(&actions)
        if let outputFile {
            posix_spawn_file_actions_addopen(&actions, 1, outputFile, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        } else if outputToStderr {
            posix_spawn_file_actions_adddup2(&actions, 2, 1)
        }
        // The agent ignores SIGINT and SIGTERM (it stops at a safe point); what it starts must not inherit that.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t(), none = sigset_t()
        sigemptyset(&defaults)
        sigemptyset(&none)
        for number in [SIGINT, SIGTERM, SIGHUP, SIGPIPE] { sigaddset(&defaults, number) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        var pid: pid_t = 0
        let result = posix_spawnp(&pid, program, &actions, &attributes, argv, envp)
        guard result == 0 else { throw OCIError.agentIO("run", program, errno: result) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw OCIError.agentIO("wait for", program, errno: errno) }
        }
        // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import.
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    /// glibc 2.34's `posix_spawn_file_actions_addclosefrom_np` (not in Swift's Glibc module), else a close for
    /// every descriptor open now (`/proc/self/fd`; glibc ignores one closed meanwhile).
    private static func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") {
            _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
            return
        }
        for name in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? [] {
            if let descriptor = Int32(name), descriptor > 2 { posix_spawn_file_actions_addclose(&actions, descriptor) }
        }
    }
}
