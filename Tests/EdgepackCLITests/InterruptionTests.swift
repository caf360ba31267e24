import Foundation
import Testing
import TestSupport

/// A pipeline with one large sparse model (no disk cost, but real bytes to hash and move).
func largeModelDefinition(_ dir: TemporaryDirectory, size: Int64 = 1 << 30) throws -> String {
    _ = FileManager.default.createFile(atPath: dir.file("big.bin"), contents: nil)
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: dir.file("big.bin")))
    try handle.truncate(atOffset: UInt64(size))
    try handle.close()
    return try dir.write("edgepack.yaml", """
        name: big-pipeline
        engine:
          image: ghcr.io/wallaroolabs/doc-samples/engine:v2023.3.0-main-3731
          mirror: false
        models:
          - name: big
            path: big.bin
            framework: onnx
        steps:
          - model: big
        """)
}

/// Starts edgepack, sends `signal` after `delay` seconds, and returns its exit status and how long it took to
/// stop after the signal.
func interrupt(_ arguments: [String], signal: Int32, after delay: Double, environment: [String: String]) throws -> (status: Int32, stopSeconds: Double, stderr: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: edgepackBinary)
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let errors = Pipe()
    process.standardError = errors
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    Thread.sleep(forTimeInterval: delay)
    let signalled = Date()
    kill(process.processIdentifier, signal)
    let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process.terminationStatus, Date().timeIntervalSince(signalled), stderr)
}

@Suite(.serialized) struct InterruptionTests {
    @Test func ctrlCDuringPublishStopsPromptlyTagsNothingAndLeavesNoTemporaryFile() throws {
        let dir = try TemporaryDirectory()
        let definition = try largeModelDefinition(dir)
        let scratch = dir.file("tmp")
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        let prefix = "\(registries.token)/interrupted/\(UUID().uuidString.prefix(8).lowercased())"
        let result = try interrupt(["publish", definition, "--registry", prefix, "--no-cache", "--quiet"], signal: SIGINT, after: 1.0,
                                   environment: pusher.merging(["TMPDIR": scratch]) { $1 })
        #expect(result.status == 130, "\(result.stderr)")
        #expect(result.stopSeconds < 5, "took \(result.stopSeconds) s to stop")
        #expect(result.stderr.contains("stopped (interrupted)"), "\(result.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch).isEmpty)
        let tags = try run("skopeo", ["list-tags", "--tls-verify=false", "--creds", "reader:reader-pass", "docker://\(prefix)/pipelines/big-pipeline"])
        #expect(!tags.stdout.contains("\"Tags\": [\n        \""), "a pipeline tag exists: \(tags.stdout)")
    }

    /// The pull's downloads are slowed by the test proxy, so the signal comes mid-copy: nothing is left in the
    /// output folder (no pulled folder, no staging), in $TMPDIR, or among the partial downloads.
    @Test func ctrlCDuringPullStopsPromptlyAndLeavesNothing() throws {
        let dir = try TemporaryDirectory()
        let definition = try randomModelPipeline(32 << 20, named: "slowpull-pipeline", in: dir)
        let path = "slowpull\(UUID().uuidString.prefix(6).lowercased())"
        let published = try edgepack(["publish", definition, "--registry", "\(registries.quirky)/\(path)", "--json", "--quiet"], environment: pusher)
        #expect(published.succeeded, "\(published.stderr)")
        let record = try JSONDecoder().decode(PublishedWithTransfer.self, from: Data(published.stdout.utf8))
        try registries.setQuirks(["rate": "\(4 << 20)"], match: "/v2/\(path)/")
        for folder in ["out", "tmp", "cache"] { try FileManager.default.createDirectory(atPath: dir.file(folder), withIntermediateDirectories: true) }
        let environment = pusher.merging(["TMPDIR": dir.file("tmp"), "EDGEPACK_CACHE_DIR": dir.file("cache")]) { $1 }
        let result = try interrupt(["pull", record.pipeline_url, "-o", dir.file("out/pulled")], signal: SIGINT, after: 2.0, environment: environment)
        #expect(result.status == 130, "\(result.stderr)")
        #expect(result.stopSeconds < 5, "took \(result.stopSeconds) s to stop")
        #expect(result.stderr.contains("stopped (interrupted)"), "\(result.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("out")).isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("tmp")).isEmpty)
        let partial = (FileManager.default.enumerator(atPath: dir.file("cache"))?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".partial") || $0.contains(".edgepack-") }
        #expect(partial.isEmpty, "\(partial)")
    }

    @Test func sigtermDuringExportLeavesNoBundleAndExits143() throws {
        let dir = try TemporaryDirectory()
        let definition = try largeModelDefinition(dir, size: 3 << 30)
        let output = dir.file("out")
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        let result = try interrupt(["export", definition, "-o", output + "/bundle.tar", "--no-cache"], signal: SIGTERM, after: 0.5, environment: [:])
        #expect(result.status == 143, "\(result.stderr)")
        #expect(result.stopSeconds < 5, "took \(result.stopSeconds) s to stop")
        #expect(try FileManager.default.contentsOfDirectory(atPath: output).isEmpty)
    }
}
