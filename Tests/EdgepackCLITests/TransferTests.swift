import Foundation
import Testing
import TestSupport

/// The `transfer` object `--json` adds beside the publish record.
struct Transfer: Decodable {
    var uploaded_blobs: Int
    var uploaded_bytes: Int64
    var sent_bytes: Int64
    var retries: Int
    var resumes: Int
    var resumed_bytes: Int64
    var fallbacks: [String: Int]
}

struct PublishedWithTransfer: Decodable {
    var pipeline_url: String
    var helm: Record.Helm
    var compose_url: String
    var models: [Record.Model]
    var transfer: Transfer

    var references: [String] {
        [pipeline_url, "\(helm.chart.dropFirst("oci://".count)):\(helm.version)", compose_url] + models.map(\.url)
    }
}

/// A pipeline with one model of `bytes` random bytes (random, so that a byte at a wrong offset cannot go unseen;
/// AES-CTR keystream under a fresh key, as /dev/urandom gives only ~80 MB/s on the test machines).
func randomModelPipeline(_ bytes: Int, named name: String, in dir: TemporaryDirectory) throws -> String {
    try FileManager.default.createDirectory(atPath: dir.file("models"), withIntermediateDirectories: true)
    let stream = isInstalled("openssl") ? "openssl enc -aes-128-ctr -nosalt -pbkdf2 -pass pass:\(UUID().uuidString) < /dev/zero 2>/dev/null" : "cat /dev/urandom"
    let generated = try run("sh", ["-c", "\(stream) | head -c \(bytes) > '\(dir.file("models/model.bin"))'"])
    guard generated.succeeded else { throw TestFailure("cannot write a model: \(generated.stderr)") }
    return try dir.write("edgepack.yaml", """
        name: \(name)
        engine:
          image: ghcr.io/acme/engine:v1
          mirror: false
        models:
          - name: model
            path: models/model.bin
            framework: custom
        steps:
          - model: model
        """)
}

/// Transfers through `scripts/test-registry`'s quirky proxy: uploads cut mid-body, a registry restarted
/// mid-publish, runs killed and run again, and other registries' quirks. Serialized: the proxy's byte counts,
/// holds and restarts are shared.
@Suite(.serialized) struct TransferTests {
    static let megabyte = 1 << 20

    func path(_ label: String) -> String { "\(label)\(UUID().uuidString.prefix(6).lowercased())" }

    func publish(_ definition: String, to path: String, extra: [String] = []) throws -> (ProcessResult, PublishedWithTransfer?) {
        let result = try edgepack(["publish", definition, "--registry", "\(registries.quirky)/\(path)", "--json"] + extra, environment: pusher)
        return (result, result.succeeded ? try JSONDecoder().decode(PublishedWithTransfer.self, from: Data(result.stdout.utf8)) : nil)
    }

    /// skopeo copies every artifact straight from the registry (not through the proxy), checking every blob's digest.
    /// (Into memory when /dev/shm is there: the copy is only read back by skopeo's own digest checks.)
    func expectEveryBlobVerifies(_ references: [String], _ dir: TemporaryDirectory) throws {
        let layout = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm/edgepack-verify-\(UUID().uuidString)" : dir.file("verified")
        defer { try? FileManager.default.removeItem(atPath: layout) }
        for reference in references {
            let direct = registries.spare + reference.dropFirst(registries.quirky.count)
            let copy = try run("skopeo", ["copy", "--src-tls-verify=false", "--src-creds", "reader:reader-pass", "docker://\(direct)", "oci:\(layout):x"])
            #expect(copy.succeeded, "\(direct): \(copy.stderr)")
        }
    }

    /// Monolithic uploads with the registry keeping the part it got (a bare distribution registry then drops the
    /// session: a new one), and chunked uploads behind a buffering front (resumed from the registry's offset).
    @Test(arguments: [
        (percent: 10, seed: 31, chunked: false), (percent: 25, seed: 1, chunked: false),
        (percent: 10, seed: 7, chunked: true), (percent: 25, seed: 7, chunked: true),
    ])
    func publishSurvivesUploadsCutMidBody(percent: Int, seed: Int, chunked: Bool) throws {
        let dir = try TemporaryDirectory()
        let size = 300_000_000
        let definition = try randomModelPipeline(size, named: "cut-pipeline", in: dir)
        let target = path("cut")
        try registries.setQuirks(["cut": "\(percent)", "seed": "\(seed)", "keeppartial": chunked ? "0" : "1"], match: "/v2/\(target)/")
        let (result, record) = try publish(definition, to: target, extra: chunked ? ["--chunk-size", "16M"] : [])
        #expect(result.succeeded, "\(result.stderr)")
        let published = try #require(record)
        #expect(published.transfer.retries >= 1, "no upload was cut: \(result.stderr)")
        #expect(published.transfer.sent_bytes > Int64(size), "\(published.transfer)")
        #expect(published.transfer.fallbacks[chunked ? "resumed-upload" : "new-upload-session"] ?? 0 >= 1, "\(published.transfer)")
        try expectEveryBlobVerifies(published.references, dir)
    }

    @Test(arguments: [(percent: 10, seed: 31, chunked: false), (percent: 25, seed: 7, chunked: true)])
    func bundlePushSurvivesUploadsCutMidBody(percent: Int, seed: Int, chunked: Bool) throws {
        let dir = try TemporaryDirectory()
        let definition = try randomModelPipeline(300_000_000, named: "cut-bundle", in: dir)
        let export = try edgepack(["export", definition, "-o", dir.file("bundle.tar"), "--registry", "origin.example/edge"])
        #expect(export.succeeded, "\(export.stderr)")
        let target = path("cutpush")
        try registries.setQuirks(["cut": "\(percent)", "seed": "\(seed)", "keeppartial": chunked ? "0" : "1"], match: "/v2/\(target)/")
        let push = try edgepack(["push", dir.file("bundle.tar"), "--registry", "\(registries.quirky)/\(target)", "--json"] + (chunked ? ["--chunk-size", "16M"] : []),
                                environment: pusher)
        #expect(push.succeeded, "\(push.stderr)")
        let pushed = try JSONDecoder().decode(PublishedWithTransfer.self, from: Data(push.stdout.utf8))
        #expect(pushed.transfer.retries >= 1, "no upload was cut: \(push.stderr)")
        try expectEveryBlobVerifies(pushed.references, dir)
    }

    @Test func publishSurvivesARegistryRestartMidBlob() throws {
        let dir = try TemporaryDirectory()
        let definition = try randomModelPipeline(96 * Self.megabyte, named: "restart-pipeline", in: dir)
        let target = path("restart")
        // Hold the chunk that passes 50 MB, restart the registry under it, then let the publish go on.
        try registries.setQuirks(["holdat": "50000000"], match: "/v2/\(target)/")
        let held = try registries.heldTransfers()
        let process = try startEdgepack(["publish", definition, "--registry", "\(registries.quirky)/\(target)", "--chunk-size", "16M", "--json"],
                                        environment: pusher, output: dir.file("record.json"))
        try waitForAHold(after: held, of: process)
        try registries.restartSpare()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let first = try JSONDecoder().decode(PublishedWithTransfer.self, from: try Data(contentsOf: URL(fileURLWithPath: dir.file("record.json"))))
        // Resumed at a chunk boundary the registry confirmed (at least 32 MiB: the held chunk is 32-48 MiB), not from
        // byte 0. On a loaded machine the restart can take a second attempt, so count at least one resume.
        #expect((first.transfer.fallbacks["resumed-upload"] ?? 0) >= 1 && first.transfer.resumed_bytes >= Int64(32 * Self.megabyte), "\(first.transfer)")
        let (again, record) = try publish(definition, to: target)
        #expect(again.succeeded && record?.transfer.uploaded_blobs == 0, "\(again.stderr)")
        try expectEveryBlobVerifies(try #require(record).references, dir)
    }

    /// Kill -9 when half the model is in the registry; the next run sends the rest, not the whole.
    /// 256 MiB here to keep the suite fast; scripts/resume-soak does the same with 1 GiB and default chunks.
    @Test func aKilledPublishAndAKilledPullContinueWhereTheyStopped() throws {
        let dir = try TemporaryDirectory()
        let size = 256 * Self.megabyte
        let definition = try randomModelPipeline(size, named: "killed-pipeline", in: dir)
        let target = path("killed")
        try registries.setQuirks(["holdat": "\(size / 2 + 8 * Self.megabyte)"], match: "/v2/\(target)/")
        let arguments = ["publish", definition, "--registry", "\(registries.quirky)/\(target)", "--chunk-size", "32M", "--quiet"]
        let held = try registries.heldTransfers()
        let first = try startEdgepack(arguments, environment: pusher)
        try waitForAHold(after: held, of: first)
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        try registries.releaseHeldTransfers()
        _ = try registries.byteCounts(reset: true)

        let (second, record) = try publish(definition, to: target, extra: ["--chunk-size", "32M"])
        #expect(second.succeeded, "\(second.stderr)")
        let published = try #require(record)
        let sent = try registries.byteCounts().received
        #expect(sent <= Int64(size) * 6 / 10, "the second run sent \(sent) of \(size) bytes")
        #expect(published.transfer.fallbacks["resumed-earlier-upload"] == 1, "\(published.transfer)")
        try expectEveryBlobVerifies(published.references, dir)

        // The same for a pull killed halfway through the model.
        let digest = published.models[0].digest
        try registries.setQuirks(["holdat": "\(size / 2)"], match: "/v2/\(target)/")
        let heldBefore = try registries.heldTransfers()
        let pull = try startEdgepack(["pull", published.pipeline_url, "-o", dir.file("pulled")], environment: pusher)
        try waitForAHold(after: heldBefore, of: pull)
        kill(pull.processIdentifier, SIGKILL)
        pull.waitUntilExit()
        try registries.releaseHeldTransfers()
        _ = try registries.byteCounts(reset: true)
        let again = try edgepack(["pull", published.pipeline_url, "-o", dir.file("pulled")], environment: pusher)
        #expect(again.succeeded, "\(again.stderr)")
        #expect(again.stderr.contains("resumed 1 interrupted download"), "\(again.stderr)")
        let fetched = try registries.byteCounts().downloaded[digest] ?? 0
        #expect(fetched <= Int64(size) * 6 / 10, "the second pull fetched \(fetched) of \(size) bytes")
        let folder = dir.file("pulled/models/model/\(published.models[0].version)")
        #expect(try run("cmp", [folder + "/model.bin", dir.file("models/model.bin")]).succeeded)
    }

    @Test func aPullSurvivesDownloadsCutMidBody() throws {
        let dir = try TemporaryDirectory()
        let definition = try randomModelPipeline(64 * Self.megabyte, named: "cutpull-pipeline", in: dir)
        let target = path("cutpull")
        let (published, record) = try publish(definition, to: target)
        #expect(published.succeeded, "\(published.stderr)")
        try registries.setQuirks(["cutdown": "50", "seed": "3"], match: "/v2/\(target)/")
        let pulled = try edgepack(["pull", try #require(record).pipeline_url, "-o", dir.file("pulled")], environment: pusher)
        #expect(pulled.succeeded, "\(pulled.stderr)")
        #expect(pulled.stderr.contains("resumed "), "no download was cut: \(pulled.stderr)")
        let folder = dir.file("pulled/models/model/\(try #require(record).models[0].version)")
        #expect(try run("cmp", [folder + "/model.bin", dir.file("models/model.bin")]).succeeded)
    }

    func waitForAHold(after count: Int, of process: Process) throws {
        for _ in 0..<600 {
            if try registries.heldTransfers() > count { return }
            guard process.isRunning else { throw TestFailure("edgepack ended (status \(process.terminationStatus)) before the transfer was held") }
            Thread.sleep(forTimeInterval: 0.05)
        }
        process.terminate()
        throw TestFailure("no transfer was held")
    }

    // MARK: other registries' quirks, each with a 24 MiB blob

    func publishThroughQuirk(_ quirks: [String: String], extra: [String] = [], expecting fallback: String) throws {
        let dir = try TemporaryDirectory()
        let size = 24 * Self.megabyte
        let definition = try randomModelPipeline(size, named: "quirk-pipeline", in: dir)
        let target = path("quirk")
        try registries.setQuirks(quirks, match: "/v2/\(target)/")
        _ = try registries.byteCounts(reset: true)
        let (result, record) = try publish(definition, to: target, extra: extra)
        #expect(result.succeeded, "\(result.stderr)")
        let published = try #require(record)
        #expect(published.transfer.fallbacks[fallback] ?? 0 >= 1, "\(published.transfer)")
        #expect(result.stderr.contains("fallbacks: ") && result.stderr.contains(fallback), "\(result.stderr)")
        // What reached the registry is the blob once: a refused request is not stored, and nothing was sent twice.
        #expect(try registries.byteCounts().uploaded[published.models[0].digest] == Int64(size))
        try expectEveryBlobVerifies(published.references, dir)
    }

    @Test func ghcrPerRequestCapOnAWholeBlobGoesChunked() throws {
        try publishThroughQuirk(["cap": "\(4 * Self.megabyte)"], expecting: "chunked-after-body-limit")
    }

    @Test func ghcrPerRequestCapOnLargeChunksHalvesThem() throws {
        try publishThroughQuirk(["cap": "\(4 * Self.megabyte)"], extra: ["--chunk-size", "16M"], expecting: "smaller-chunks")
    }

    @Test func ecrAnswering201ToAChunkIsNotTakenAsTheEnd() throws {
        try publishThroughQuirk(["patch201": "1"], extra: ["--chunk-size", "4M"], expecting: "chunk-answered-201")
    }

    @Test func garWithoutChunkedUploadsGetsTheBlobInOnePut() throws {
        try publishThroughQuirk(["nochunks": "1"], extra: ["--chunk-size", "4M"], expecting: "monolithic-without-chunks")
    }

    @Test func nginxBodyLimitOnAWholeBlobGoesChunked() throws {
        try publishThroughQuirk(["bodylimit": "\(8 * Self.megabyte)"], expecting: "chunked-after-body-limit")
    }

    @Test func aRegistryThatDoesNotCreateRepositoriesSaysWhichToCreate() throws {
        let dir = try TemporaryDirectory()
        let definition = try randomModelPipeline(24 * Self.megabyte, named: "closed-pipeline", in: dir)
        let target = path("closed")
        try registries.setQuirks(["noautocreate": "1"], match: "/v2/\(target)/")
        let (refused, _) = try publish(definition, to: target)
        #expect(refused.status == 1)
        // Blobs go up in parallel: whichever repository comes first is named.
        #expect(refused.stderr.hasPrefix("edgepack: error: \(registries.quirky) has no repository \(target)/"), "\(refused.stderr)")
        #expect(refused.stderr.hasSuffix(" and does not create repositories on push: create it in the registry, then run again\n"), "\(refused.stderr)")
        #expect(refused.stderr.split(separator: "\n").count == 1)
        try registries.createRepositories(["models/model", "pipelines/closed-pipeline", "charts/closed-pipeline", "compose/closed-pipeline"].map { "\(target)/\($0)" })
        let (created, record) = try publish(definition, to: target)
        #expect(created.succeeded, "\(created.stderr)")
        try expectEveryBlobVerifies(try #require(record).references, dir)
    }
}
