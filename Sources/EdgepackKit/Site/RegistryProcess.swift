import Foundation
import OCIKit

/// The background registry process: started in a session of its own (it outlives the command and a closed
/// terminal), known afterwards by its pid *and* its config path, so that a pid reused by another program is
/// never taken for it, nor stopped.
enum RegistryProcess {
    /// Finds the registry executable: Debian's `docker-registry`, or distribution's own `registry`, on PATH.
    static func executable(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for name in ["docker-registry", "registry"] {
            for folder in path.split(separator: ":") where access("\(folder)/\(name)", X_OK) == 0 {
                return "\(folder)/\(name)"
            }
        }
        return nil
    }

    static func spawn(executable: String, config: String, log: String) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Nothing else is inherited: a caller waiting for edgepack's exit through a descriptor (Foundation's
        // Process does) would otherwise wait for the registry's too.
        for descriptor in openDescriptors() where descriptor > 2 {
            posix_spawn_file_actions_addclose(&actions, descriptor)
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, 0x80)  // POSIX_SPAWN_SETSID (glibc >= 2.26, hidden from Swift behind _GNU_SOURCE)
        let arguments = [executable, "serve", config]
        var argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, &argv, environ)
        guard result == 0 else { throw OCIError(.io, "cannot start \(executable): \(String(cString: strerror(result)))") }
        return pid
    }

    private static func openDescriptors() -> [Int32] {
        let listed = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return listed.compactMap { Int32($0) }.filter { fcntl($0, F_GETFD) >= 0 }
    }

    /// Whether `pid` is alive and is a registry serving `config`.
    static func isRunning(_ pid: Int32, config: String) -> Bool {
        guard pid > 0, kill(pid, 0) == 0, let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
        let arguments = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        // A child that exited but is not yet reaped is a zombie: not running.
        if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), stat.split(separator: " ").dropFirst(2).first == "Z" {
            return false
        }
        return arguments.last == config
    }

    /// SIGTERM, then SIGKILL after 10 s.
    static func stop(_ pid: Int32, config: String) throws {
        guard isRunning(pid, config: config) else { return }
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(10)
        while isRunning(pid, config: config), Date() < deadline {
            var status: Int32 = 0
            _ = waitpid(pid, &status, WNOHANG)  // our child when `up` and `down` are one process (tests)
            usleep(50_000)
        }
        if isRunning(pid, config: config) { kill(pid, SIGKILL) }
    }
}
