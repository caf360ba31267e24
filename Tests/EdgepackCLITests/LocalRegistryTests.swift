import Foundation
import Testing
import TestSupport

/// `edgepack registry up|down|status|password`: Debian's docker-registry run in the background from a state folder.
@Suite(.serialized) struct LocalRegistryTests {
    /// A port nothing listens on now (the kernel's choice for a socket bound to port 0).
    static func freePort() throws -> Int {
        let result = try run("python3", ["-c", "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])"])
        guard let port = Int(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) else { throw TestFailure("no free port: \(result.stderr)") }
        return port
    }

    @Test func upStatusLoginPublishDownKeepsTheStorage() throws {
        let dir = try TemporaryDirectory()
        let state = dir.file("state: one")  // a path YAML would misread unquoted
        let port = try Self.freePort()
        let up = try edgepack(["registry", "up", "--state", state, "--port", "\(port)"])
        defer { _ = try? edgepack(["registry", "down", "--state", state]) }
        #expect(up.status == 0, "\(up.stderr)")
        #expect(up.stdout.hasPrefix("started localhost:\(port) (pid "))
        let mode = try FileManager.default.attributesOfItem(atPath: state + "/password")[.posixPermissions] as? Int
        #expect(mode == 0o600)

        let again = try edgepack(["registry", "up", "--state", state, "--port", "\(port)"])
        #expect(again.status == 0 && again.stdout.hasPrefix("already running at localhost:\(port)"), "\(again.stdout)\(again.stderr)")

        let status = try edgepack(["registry", "status", "--state", state])
        #expect(status.status == 0 && status.stdout.contains("running at localhost:\(port)"))
        let loginLine = try #require(status.stdout.split(separator: "\n").first { $0.hasPrefix("log in:") })
        let environment = ["DOCKER_CONFIG": dir.file("docker")]
        // The printed line, pasted into a shell, logs in (and the password is only ever in the pipe).
        let command = String(loginLine.dropFirst("log in:".count))
            .replacingOccurrences(of: " edgepack registry", with: " \(edgepackBinary) registry").replacingOccurrences(of: "| edgepack login", with: "| \(edgepackBinary) login")
        let login = try run("sh", ["-c", command], environment: environment)
        #expect(login.status == 0 && login.stdout.contains("Login Succeeded"), "\(login.stdout)\(login.stderr)")
        let password = try String(contentsOfFile: state + "/password", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!status.stdout.contains(password) && !up.stdout.contains(password))

        let publish = try edgepack(["publish", fixture("ccfraud/edgepack.yaml"), "--registry", "localhost:\(port)/edge", "-q"], environment: environment)
        #expect(publish.status == 0, "\(publish.stderr)")
        let anonymous = try edgepack(["publishes", "ccfraud-pipeline", "--registry", "localhost:\(port)/edge"])
        #expect(anonymous.status == 1 && anonymous.stderr.contains("needs a username and password"), "without a login the registry refuses: \(anonymous.stderr)")

        let down = try edgepack(["registry", "down", "--state", state])
        #expect(down.status == 0 && down.stdout.contains("stopped"))
        let after = try edgepack(["registry", "status", "--state", state])
        #expect(after.status == 3 && after.stdout.contains("not running"))
        #expect(!FileManager.default.fileExists(atPath: state + "/registry.pid"))

        // Up again: the same storage and password, so the saved login and the published pipeline are still there.
        _ = try edgepack(["registry", "up", "--state", state, "--port", "\(port)"])
        let listed = try edgepack(["publishes", "ccfraud-pipeline", "--registry", "localhost:\(port)/edge"], environment: environment)
        #expect(listed.status == 0 && listed.stdout.contains("2c5968b7-62fa-49f8-9489-aaf84cfb80aa"), "\(listed.stdout)\(listed.stderr)")
    }

    @Test func aPortInUseIsOneLineAndStartsNothing() throws {
        let dir = try TemporaryDirectory()
        let port = try Self.freePort()
        let holder = try startListener(port: port)
        defer { holder.terminate() }
        let up = try edgepack(["registry", "up", "--state", dir.file("state"), "--port", "\(port)"])
        #expect(up.status == 1)
        #expect(up.stderr == "edgepack: error: port \(port) is already in use by another program; choose another port\n")
        #expect(!FileManager.default.fileExists(atPath: dir.file("state/registry.pid")))
    }

    /// Another address of this machine: probed there, and named in the login line.
    @Test func anotherAddressIsProbedWhereItListens() throws {
        let dir = try TemporaryDirectory()
        let port = try Self.freePort()
        let bad = try edgepack(["registry", "up", "--state", dir.file("state"), "--address", "not-an-address"])
        #expect(bad.status == 64 && bad.stderr.contains("--address takes an IPv4 address"), "\(bad.stderr)")
        let up = try edgepack(["registry", "up", "--state", dir.file("state"), "--address", "127.0.0.2", "--port", "\(port)"])
        defer { _ = try? edgepack(["registry", "down", "--state", dir.file("state")]) }
        #expect(up.status == 0 && up.stdout.hasPrefix("started 127.0.0.2:\(port) (pid "), "\(up.stdout)\(up.stderr)")
        #expect(up.stdout.contains("edgepack login 127.0.0.2:\(port) --username edgepack"))
    }

    @Test func aMissingRegistryProgramSaysWhatToInstall() throws {
        let dir = try TemporaryDirectory()
        let up = try edgepack(["registry", "up", "--state", dir.file("state"), "--port", "\(try Self.freePort())"], environment: ["PATH": "/nonexistent"])
        #expect(up.status == 1)
        #expect(up.stderr.split(separator: "\n").count == 1 && up.stderr.contains("apt-get install docker-registry"), "\(up.stderr)")
    }

    /// A pid file whose pid now belongs to another program: not our registry, and `down` never signals it.
    @Test func aReusedPidIsNeitherReportedNorStopped() throws {
        let dir = try TemporaryDirectory()
        let bystander = Process()
        bystander.executableURL = URL(fileURLWithPath: "/bin/sleep")
        bystander.arguments = ["30"]
        try bystander.run()
        defer { bystander.terminate() }
        try dir.write("state/registry.pid", "\(bystander.processIdentifier)\n")
        try dir.write("state/settings.json", #"{"address":"127.0.0.1","authenticated":true,"port":5000,"storage":"/x"}"#)
        let status = try edgepack(["registry", "status", "--state", dir.file("state")])
        #expect(status.status == 3)
        let down = try edgepack(["registry", "down", "--state", dir.file("state")])
        #expect(down.status == 0 && down.stdout.contains("no registry"))
        #expect(bystander.isRunning)
    }

    private func startListener(port: Int) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import socket,time; s=socket.socket(); s.bind(('127.0.0.1',\(port))); s.listen(); print('ready',flush=True); time.sleep(30)"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        _ = pipe.fileHandleForReading.availableData  // "ready": it listens
        return process
    }
}
