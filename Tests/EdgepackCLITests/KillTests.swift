import Foundation
import Testing
import TestSupport

/// Starts `edgepack` and kills it with SIGKILL after `delay` seconds (if it is still running).
private func runAndKill(_ arguments: [String], environment: [String: String], after delay: Double) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: edgepackBinary)
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    Thread.sleep(forTimeInterval: delay)
    if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    process.waitUntilExit()
}

/// Every name under `root` that marks an edgepack temporary file or folder.
private func temporaryNames(under root: String) -> [String] {
    (FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? []).filter { $0.contains(".edgepack-") }
}

@Suite(.serialized) struct KillTests {
    @Test func theRunAfterTenKillsLeavesNoTemporaryFileAnywhere() throws {
        let dir = try TemporaryDirectory()
        try dir.write("def/models/big.onnx", Data(repeating: 7, count: 24 << 20))
        try dir.write("def/models/saved/weights.bin", Data(repeating: 3, count: 8 << 20))
        let definition = try dir.write("def/edgepack.yaml", """
        name: killed
        engine:
          image: ghcr.io/acme/engine:v1
          mirror: false
        models:
          - {name: big, path: models/big.onnx, framework: onnx}
          - {name: saved, path: models/saved, framework: tensorflow}
        steps:
          - model: big

        """)
        try FileManager.default.createDirectory(atPath: dir.file("tmp"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir.file("out"), withIntermediateDirectories: true)
        let environment = pusher.merging(["TMPDIR": dir.file("tmp"), "EDGEPACK_CACHE_DIR": dir.file("cache"), "DOCKER_CONFIG": dir.file("docker")]) { $1 }
        let registry = "\(registries.token)/killed\(UUID().uuidString.prefix(6).lowercased())"
        var leftovers = 0
        for trial in 0..<10 {
            // A new directory layer each time, so every publish stages it in $TMPDIR again.
            try dir.write("def/models/saved/trial.txt", "\(trial)")
            try runAndKill(["export", definition, "-o", dir.file("out/bundle.tar")], environment: environment, after: Double.random(in: 0.05...0.5))
            try runAndKill(["publish", definition, "--registry", registry], environment: environment, after: Double.random(in: 0.05...0.5))
            leftovers = max(leftovers, temporaryNames(under: dir.path).count)
        }
        // What killed runs leave, plus one planted leftover of a dead process and one of a live one (ours).
        let finished = Process()
        finished.executableURL = URL(fileURLWithPath: "/bin/true")
        try finished.run()
        finished.waitUntilExit()
        try dir.write("tmp/edgepack-layer-dead.edgepack-\(finished.processIdentifier)-1", "stale")
        try dir.write("out/.bundle.tar.edgepack-\(getpid())-2", "in progress")

        let export = try edgepack(["export", definition, "-o", dir.file("out/bundle.tar")], environment: environment)
        #expect(export.succeeded, "\(export.stderr)")
        let publish = try edgepack(["publish", definition, "--registry", registry], environment: environment)
        #expect(publish.succeeded, "\(publish.stderr)")
        #expect(temporaryNames(under: dir.path) == ["out/.bundle.tar.edgepack-\(getpid())-2"], "after \(leftovers) leftovers at most")
    }

    /// `digest` sweeps the digest cache's folder but does not list `$TMPDIR` or the blob cache, where it never
    /// makes anything (the runs that do sweep them).
    @Test func aDigestRunSweepsOnlyTheFoldersItWritesTo() throws {
        let dir = try TemporaryDirectory()
        let finished = Process()
        finished.executableURL = URL(fileURLWithPath: "/bin/true")
        try finished.run()
        finished.waitUntilExit()
        let dead = "edgepack-\(finished.processIdentifier)-1"
        try dir.write("cache/.digests.\(dead)", "stale")
        try dir.write("tmp/edgepack-layer-dead.\(dead)", "stale")
        try dir.write("cache/blobs/sha256/.partial.\(dead)", "stale")
        try dir.write("model.bin", "weights")
        let environment = ["TMPDIR": dir.file("tmp"), "EDGEPACK_CACHE_DIR": dir.file("cache")]

        let digest = try edgepack(["digest", dir.file("model.bin")], environment: environment)
        #expect(digest.succeeded, "\(digest.stderr)")
        #expect(temporaryNames(under: dir.path).sorted() == ["cache/blobs/sha256/.partial.\(dead)", "tmp/edgepack-layer-dead.\(dead)"])

        let inspect = try edgepack(["inspect", dir.file("missing")], environment: environment)
        #expect(inspect.status == 1)
        #expect(temporaryNames(under: dir.path).isEmpty, "a command that may make scratch files swept them: \(temporaryNames(under: dir.path))")
    }
}
