import Foundation
import OCIKit

/// Runs a program and waits for it, without Foundation's Process (which lists and closes every descriptor itself,
/// tens of milliseconds a start), and with no descriptor but 0, 1 and 2: a program that leaves a daemon behind (a
/// health server, conmon) must not hold the agent's files and sockets, nor keep whoever waits for the agent
/// waiting on a descriptor the daemon inherited.
enum ChildProcess {
    /// `outputToStderr`: the program's standard output goes to standard error (a tool's chatter is not the agent's output).
    /// `outputFile`: both its outputs go to that file instead (created or truncated, mode 0600).
    static func run(_ program: String, _ arguments: [String], environment extra: [String: String] = [:], outputToStderr: Bool = false,
                    outputFile: String? = nil) throws -> Int32 {
        let pid = try spawn(program, arguments, environment: extra) { actions in
            if let outputFile {
                posix_spawn_file_actions_addopen(&actions, 1, outputFile, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
                posix_spawn_file_actions_adddup2(&actions, 1, 2)
            } else if outputToStderr {
                posix_spawn_file_actions_adddup2(&actions, 2, 1)
            }
        }
        return try wait(for: pid, program)
    }

    /// What a program prints on standard output (its input and errors on /dev/null) and its exit status; nil when it
    /// cannot be started. Output beyond `limit` bytes is read and dropped.
    static func output(_ program: String, _ arguments: [String], limit: Int = 1 << 20) -> (status: Int32, text: String)? {
        var ends: [Int32] = [0, 0]
        // Close-on-exec: a program another thread starts meanwhile must not hold the write end (this read would
        // never end); the child's own copy, duplicated onto 1, loses the flag.
        guard closeOnExecPipe(&ends) else { return nil }
        defer { close(ends[0]) }
        let pid = try? spawn(program, arguments) { actions in
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_adddup2(&actions, ends[1], 1)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        close(ends[1])
        guard let pid else { return nil }
        var text: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(ends[0], &buffer, buffer.count)
            if count > 0 {
                if text.count < limit { text += buffer[..<min(count, limit - text.count)] }
            } else if count < 0 && errno == EINTR {
                continue
            } else {
                break
            }
        }
        guard let status = try? wait(for: pid, program) else { return nil }
        return (status, String(decoding: text, as: UTF8.self))
    }

    /// Starts `program` (searched in PATH) with the caller's `redirect`ions done first, then every other descriptor
    /// closed, and the default signal dispositions: the agent ignores SIGINT and SIGTERM (it stops at a safe point),
    /// what it starts must not inherit that.
    private static func spawn(_ program: String, _ arguments: [String], environment extra: [String: String] = [:],
                              redirect: (inout posix_spawn_file_actions_t) -> Void) throws -> pid_t {
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
        redirect(&actions)
        closeInheritedDescriptors(&actions)
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
        return pid
    }

    /// The exit status, or 128 + the signal that ended it.
    private static func wait(for pid: pid_t, _ program: String) throws -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw OCIError.agentIO("wait for", program, errno: errno) }
        }
        // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import.
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    private typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32

    /// glibc's `pipe2(O_CLOEXEC)` (not in Swift's Glibc module), else `pipe` and the flag set at once after.
    private static func closeOnExecPipe(_ ends: inout [Int32]) -> Bool {
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "pipe2") {
            return ends.withUnsafeMutableBufferPointer { unsafeBitCast(symbol, to: Pipe2.self)($0.baseAddress!, O_CLOEXEC) } == 0
        }
        guard pipe(&ends) == 0 else { return false }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        return true
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
