import Foundation
import Testing
import TestSupport
import OCIKit

/// Runs a command in a real terminal (tmux, on a private socket) and collects every screen it showed.
func screens(of command: String, environment: [String: String], seconds: Double) throws -> [String] {
    let socket = "edgepack-test-\(UUID().uuidString.prefix(8))"
    let exports = "env " + environment.map { "\($0.key)='\($0.value)'" }.joined(separator: " ")
    let marker = "EDGEPACK-TEST-DONE"
    let script = "\(exports) \(command); echo \(marker) $?; sleep 30"
    // Started, not waited for: Foundation's wait on Linux returns only once the tmux server it forked is gone.
    let start = Process()
    start.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    start.arguments = ["tmux", "-L", socket, "new-session", "-d", "-x", "160", "-y", "40", script]
    start.standardOutput = FileHandle.nullDevice
    start.standardError = FileHandle.nullDevice
    try start.run()
    defer { _ = try? run("tmux", ["-L", socket, "kill-server"]) }
    var seen: [String] = []
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        let screen = try run("tmux", ["-L", socket, "capture-pane", "-p"]).stdout
        if seen.last != screen { seen.append(screen) }
        if screen.contains(marker) { break }
        Thread.sleep(forTimeInterval: 0.1)
    }
    return seen
}

@Suite(.serialized, .enabled(if: isInstalled("tmux"))) struct TerminalProgressTests {
    @Test func publishShowsTotalsPercentagesAndETAAndEndsAt100Percent() throws {
        let dir = try TemporaryDirectory()
        let definition = try largeModelDefinition(dir, size: 512 << 20)
        let prefix = "\(registries.token)/progress/\(UUID().uuidString.prefix(8).lowercased())"
        let shown = try screens(of: "\(edgepackBinary) publish \(definition) --registry \(prefix) --no-cache > \(dir.file("record.txt"))",
                                environment: pusher.merging(["EDGEPACK_CACHE_DIR": dir.file("cache"), "CI": "", "TERM": "xterm"]) { $1 }, seconds: 120)
        let last = try #require(shown.last)
        #expect(last.contains("EDGEPACK-TEST-DONE 0"), "\(last)")
        let live = shown.joined(separator: "\n")
        #expect(live.contains("hashing big-pipeline ["), "\(live)")
        #expect(live.contains("big.bin"), "no per-blob line: \(live)")
        #expect(live.range(of: #"\d+\.\d MiB / 512\.0 MiB +\d+%"#, options: .regularExpression) != nil, "no bytes/total and percentage: \(live)")
        #expect(live.contains("ETA "), "\(live)")
        let lines = last.split(separator: "\n").map(String.init)
        let final = try #require(lines.last { $0.hasPrefix("publishing big-pipeline") })
        #expect(final.contains("100%") && final.contains("512.0 MiB / 512.0 MiB"), "\(final)")
        // The summary comes after the progress and before nothing else on the terminal (the record went to a file).
        #expect(lines.firstIndex { $0.hasPrefix("uploaded ") && $0.contains(" blobs (") }.map { $0 > lines.firstIndex(of: final)! } == true, "\(last)")

        // And back down, as an edge engine would: the same display for the download.
        let pulled = try screens(of: "\(edgepackBinary) pull \(prefix)/pipelines/big-pipeline -o \(dir.file("edge")) > \(dir.file("pulled.txt"))",
                                 environment: pusher.merging(["EDGEPACK_CACHE_DIR": dir.file("cache"), "CI": "", "TERM": "xterm"]) { $1 }, seconds: 120)
        let end = try #require(pulled.last)
        #expect(end.contains("EDGEPACK-TEST-DONE 0"), "\(end)")
        let seen = pulled.joined(separator: "\n")
        #expect(seen.range(of: #"pulling big-pipeline \[[#-]+\] +\d+% "#, options: .regularExpression) != nil && seen.contains("ETA "), "\(seen)")
        let pullFinal = try #require(end.split(separator: "\n").map(String.init).last { $0.hasPrefix("pulling big-pipeline") })
        #expect(pullFinal.contains("100%") && pullFinal.contains("/ 512.0 MiB"), "\(pullFinal)")
        #expect(FileStatus.exists(dir.file("edge/models/big")) || FileManager.default.fileExists(atPath: dir.file("edge/pipeline.json")))
    }
}
