import Foundation
import Testing
import TestSupport

/// A pipeline of `models.count` random model files (sizes in bytes) in `dir`; returns the definition's path.
func randomModelsPipeline(_ sizes: [Int], named name: String, in dir: TemporaryDirectory) throws -> String {
    try FileManager.default.createDirectory(atPath: dir.file("models"), withIntermediateDirectories: true)
    for (index, size) in sizes.enumerated() { try writeRandomModel(dir.file("models/m\(index).bin"), bytes: size) }
    let models = sizes.indices.map { "  - {name: m\($0), path: models/m\($0).bin, framework: custom}" }.joined(separator: "\n")
    return try dir.write("edgepack.yaml", "name: \(name)\nengine:\n  image: ghcr.io/acme/engine:v1\n  mirror: false\nmodels:\n\(models)\nsteps:\n  - model: m0\n")
}

func writeRandomModel(_ path: String, bytes: Int) throws {
    let generated = try run("sh", ["-c", "head -c \(bytes) /dev/urandom > '\(path)'"])
    guard generated.succeeded else { throw TestFailure("cannot write a model: \(generated.stderr)") }
}

/// `channels` and the like, as `publishes --json` prints them.
struct ListedVersion: Decodable {
    struct Replaced: Decodable, Equatable { var pipeline_version: String; var pipeline_digest: String }
    var version: String
    var created_at: String?
    var created_by: String?
    var channels: [String]
    var replaces: [Replaced]
    var digest: String
}

struct ChannelRecord: Decodable {
    var pipeline_version: String
    var pipeline_digest: String
    var compose_url: String
    var replaces: [ListedVersion.Replaced]
    var created_by: String
}

@Suite(.serialized) struct ChannelTests {
    let skopeoCredentials = ["--creds", "edgepack:edgepack-pass", "--tls-verify=false"]

    func publishToChannel(_ definition: String, registry: String, channel: String = "prod", author: String = "alice@example.com") throws -> ChannelRecord {
        try publishToChannelSaying(definition, registry: registry, channel: channel, author: author).record
    }

    /// The record, and what publish said on stderr about the channel.
    func publishToChannelSaying(_ definition: String, registry: String, channel: String = "prod", author: String = "alice@example.com") throws -> (record: ChannelRecord, said: String) {
        let result = try edgepack(["publish", definition, "--registry", registry, "--channel", channel, "--json"],
                                  environment: pusher.merging(["EDGEPACK_CREATED_BY": author]) { $1 })
        guard result.succeeded else { throw TestFailure("publish: \(result.stderr)") }
        let said = result.stderr.split(separator: "\n").filter { $0.hasPrefix("channel ") }.joined(separator: "\n")
        return (try JSONDecoder().decode(ChannelRecord.self, from: Data(result.stdout.utf8)), said)
    }

    func listed(_ name: String, _ registry: String) throws -> [ListedVersion] {
        let listing = try edgepack(["publishes", name, "--registry", registry, "--json"], environment: pusher)
        guard listing.succeeded else { throw TestFailure("publishes: \(listing.stderr)") }
        return try JSONDecoder().decode([ListedVersion].self, from: Data(listing.stdout.utf8))
    }

    /// The digest skopeo reads for a reference (straight from the registry).
    func skopeoDigest(_ reference: String) throws -> String {
        let command = "skopeo inspect --raw \(skopeoCredentials.joined(separator: " ")) 'docker://\(reference)' | sha256sum"
        let result = try run("bash", ["-c", "set -o pipefail; " + command])
        guard result.succeeded else { throw TestFailure("skopeo inspect \(reference): \(result.stderr)") }
        return "sha256:" + result.stdout.prefix(64)
    }

    @Test func theChannelFollowsPublishesAndPromoteRollsItBack() throws {
        let registry = "\(registries.token)/chan\(UUID().uuidString.prefix(6).lowercased())"
        let dir = try TemporaryDirectory()
        let definition = try randomModelsPipeline([4096], named: "channelled", in: dir)
        let before = Date()
        let (v1, saidFirst) = try publishToChannelSaying(definition, registry: registry)
        #expect(v1.replaces.isEmpty)
        #expect(saidFirst == "channel prod: \(v1.pipeline_version) (a new channel)")
        // Re-publishing the same version: the pipeline manifest is byte-identical (records live beside it).
        let again = try publishToChannel(definition, registry: registry, author: "bob@example.com")
        #expect(again.pipeline_digest == v1.pipeline_digest && again.created_by == "alice@example.com")
        try writeRandomModel(dir.file("models/m0.bin"), bytes: 4096)
        let (v2, saidSecond) = try publishToChannelSaying(definition, registry: registry)
        let after = Date()
        #expect(saidSecond == "channel prod: \(v2.pipeline_version) (was \(v1.pipeline_version))", "as promote says it")
        #expect(v2.replaces == [.init(pipeline_version: v1.pipeline_version, pipeline_digest: v1.pipeline_digest)])
        #expect(try skopeoDigest("\(registry)/pipelines/channelled:prod") == v2.pipeline_digest)

        let versions = try listed("channelled", registry)
        #expect(versions.map(\.version) == [v2.pipeline_version, v1.pipeline_version])
        #expect(versions.map(\.channels) == [["prod"], []])
        #expect(versions.allSatisfy { $0.created_by == "alice@example.com" })
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        for version in versions {
            let created = try #require(version.created_at.flatMap(formatter.date(from:)))
            #expect(created >= before.addingTimeInterval(-1) && created <= after.addingTimeInterval(1), "\(version)")
        }

        let promote = try edgepack(["promote", "channelled", v1.pipeline_version, "--channel", "prod", "--registry", registry], environment: pusher)
        #expect(promote.succeeded, "\(promote.stderr)")
        #expect(try skopeoDigest("\(registry)/pipelines/channelled:prod") == v1.pipeline_digest)
        #expect(try skopeoDigest("\(registry)/compose/channelled:prod") == (try skopeoDigest(v1.compose_url)))
        let rolledBack = try listed("channelled", registry)
        #expect(rolledBack.first { $0.version == v1.pipeline_version }?.channels == ["prod"])
        #expect(rolledBack.first { $0.version == v1.pipeline_version }?.replaces.map(\.pipeline_version) == [v2.pipeline_version])

        let unknown = UUID().uuidString.lowercased()
        let missing = try edgepack(["promote", "channelled", unknown, "--channel", "prod", "--registry", registry], environment: pusher)
        #expect(!missing.succeeded && missing.stderr.contains("no version \(unknown) of channelled"), "\(missing.stderr)")
        #expect(try skopeoDigest("\(registry)/pipelines/channelled:prod") == v1.pipeline_digest)
    }

    @Test func aPublishKilledBeforeTheChannelMoveLeavesTheChannelWhereItWas() throws {
        let target = "killchan\(UUID().uuidString.prefix(6).lowercased())"
        let registry = "\(registries.quirky)/\(target)"
        let dir = try TemporaryDirectory()
        let definition = try randomModelsPipeline([4096], named: "killed", in: dir)
        let v1 = try publishToChannel(definition, registry: registry)
        try writeRandomModel(dir.file("models/m0.bin"), bytes: 8 << 20)
        // Hold the new model's upload midway, kill -9 the publish there, then let the registry go on.
        try registries.setQuirks(["holdat": "\(4 << 20)"], match: "/v2/\(target)/")
        let held = try registries.heldTransfers()
        let process = try startEdgepack(["publish", definition, "--registry", registry, "--channel", "prod", "--chunk-size", "1M"], environment: pusher)
        var waited = 0
        while try registries.heldTransfers() <= held, process.isRunning, waited < 600 {
            Thread.sleep(forTimeInterval: 0.05)
            waited += 1
        }
        #expect(try registries.heldTransfers() > held, "no transfer was held")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try registries.releaseHeldTransfers()
        #expect(try skopeoDigest("\(registries.spare)/\(target)/pipelines/killed:prod") == v1.pipeline_digest)
        // The next run finishes the job and moves the channel.
        let v2 = try publishToChannel(definition, registry: registry)
        #expect(try skopeoDigest("\(registries.spare)/\(target)/pipelines/killed:prod") == v2.pipeline_digest)
    }

    @Test func racingPromotesEndOnOneVersion() throws {
        let registry = "\(registries.token)/race\(UUID().uuidString.prefix(6).lowercased())"
        let dir = try TemporaryDirectory()
        let definition = try randomModelsPipeline([1024], named: "raced", in: dir)
        let v1 = try publishToChannel(definition, registry: registry)
        try writeRandomModel(dir.file("models/m0.bin"), bytes: 1024)
        let v2 = try publishToChannel(definition, registry: registry)
        let composeOf = [v1.pipeline_digest: try skopeoDigest(v1.compose_url), v2.pipeline_digest: try skopeoDigest(v2.compose_url)]
        for round in 0..<4 {
            let order = round % 2 == 0 ? [v1, v2] : [v2, v1]
            let racers = try order.map { version in
                try startEdgepack(["promote", "raced", version.pipeline_version, "--channel", "prod", "--registry", registry], environment: pusher)
            }
            for racer in racers { racer.waitUntilExit() }
            #expect(racers.allSatisfy { $0.terminationStatus == 0 })
            let pipeline = try skopeoDigest("\(registry)/pipelines/raced:prod")
            #expect(composeOf[pipeline] != nil, "the channel names neither version")
            #expect(try skopeoDigest("\(registry)/compose/raced:prod") == composeOf[pipeline], "round \(round): the pipeline and compose tags disagree")
        }
    }
}
