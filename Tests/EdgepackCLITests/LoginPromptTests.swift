import Foundation
import Testing
import TestSupport

/// A program running in a real terminal (a private tmux server), driven by keystrokes as a person would.
final class TerminalSession {
    let socket = "edgepack-test-\(UUID().uuidString.prefix(8))"

    init(_ command: String, environment: [String: String]) throws {
        let exports = environment.map { "\($0.key)='\($0.value)'" }.sorted().joined(separator: " ")
        // The tmux server outlives its client: started with descriptors 3 and up closed, it does not hold the pipe
        // by which Foundation's Process notices the client's exit (else `run` would wait for the server), and with
        // no signals blocked (the test runner's threads block most, and children inherit that) kill-server ends it.
        let wrapper = "import os, signal, sys; os.closerange(3, 65536); signal.pthread_sigmask(signal.SIG_SETMASK, []); os.execvp(sys.argv[1], sys.argv[1:])"
        let started = try run("python3", ["-c", wrapper,
                                          "tmux", "-L", socket, "-f", "/dev/null", "new-session", "-d", "-x", "200", "-y", "30",
                                          "env \(exports) \(command); echo EXIT=$?; sleep 30"])
        guard started.succeeded else { throw TestFailure("tmux: \(started.stderr)") }
    }

    deinit { _ = try? run("tmux", ["-L", socket, "kill-server"]) }

    var screen: String { (try? run("tmux", ["-L", socket, "capture-pane", "-p"]).stdout) ?? "" }

    func type(_ text: String) throws {
        _ = try run("tmux", ["-L", socket, "send-keys", "-l", text])
        _ = try run("tmux", ["-L", socket, "send-keys", "Enter"])
    }

    /// Waits until the screen shows `text` (tmux drops trailing spaces); returns the screen.
    @discardableResult
    func waitFor(_ text: String, seconds: Double = 15) throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let shown = screen
            if shown.contains(text.trimmingCharacters(in: .whitespaces)) { return shown }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw TestFailure("the terminal never showed '\(text)'; it shows:\n\(screen)")
    }
}

@Suite struct LoginPromptTests {
    func loginSession(_ dir: TemporaryDirectory, _ arguments: String = "") throws -> TerminalSession {
        try TerminalSession("\(edgepackBinary) login \(registries.token)\(arguments)", environment: ["DOCKER_CONFIG": dir.file("docker"), "OCI_USERNAME": "", "OCI_PASSWORD": ""])
    }

    @Test func loginAsksForTheUsernameAndAnUnechoedPassword() throws {
        let dir = try TemporaryDirectory()
        let terminal = try loginSession(dir)
        try terminal.waitFor("Username for \(registries.token): ")
        try terminal.type("edgepack")
        try terminal.waitFor("Password for \(registries.token): ")
        try terminal.type("edgepack-pass")
        let screen = try terminal.waitFor("EXIT=")
        #expect(screen.contains("Login Succeeded (saved in \(dir.file("docker"))/config.json)\nEXIT=0"), "\(screen)")
        #expect(!screen.contains("edgepack-pass"), "the password was echoed:\n\(screen)")
        let saved = try String(contentsOfFile: dir.file("docker/config.json"), encoding: .utf8)
        #expect(saved.contains(registries.token))
        // What was saved is what publish then uses, with no prompt and no terminal.
        let (published, _) = try publish("vgg16-clustering/edgepack.yaml", registry: "\(registries.token)/prompted", environment: ["DOCKER_CONFIG": dir.file("docker")])
        #expect(published.succeeded, "\(published.stderr)")
    }

    @Test func aGivenUsernameIsOnlyAskedForItsPasswordAndAWrongOneIsSaid() throws {
        let dir = try TemporaryDirectory()
        let terminal = try loginSession(dir, " --username edgepack")
        try terminal.waitFor("Password for \(registries.token): ")
        try terminal.type("not-the-password")
        let screen = try terminal.waitFor("EXIT=")
        #expect(screen.contains("edgepack: error: authentication to \(registries.token) failed as user edgepack: wrong username or password, or an expired token (the username and password given to edgepack): check them and try again"), "\(screen)")
        #expect(screen.contains("EXIT=1") && !screen.contains("not-the-password"), "\(screen)")
        #expect(!FileManager.default.fileExists(atPath: dir.file("docker/config.json")))
    }

    @Test func withoutATerminalLoginNeedsTheFlags() throws {
        let result = try edgepack(["login", registries.token])
        #expect(result.status == 64)
        #expect(result.stderr.hasPrefix("edgepack: error: login prompts for a username and password on a terminal; without one, pass --username and --password-stdin"), "\(result.stderr)")
        let stdin = try edgepack(["login", registries.token, "--username", "edgepack", "--password-stdin"], environment: ["DOCKER_CONFIG": try TemporaryDirectory().path], input: "edgepack-pass\n")
        #expect(stdin.succeeded, "\(stdin.stderr)")
    }
}
