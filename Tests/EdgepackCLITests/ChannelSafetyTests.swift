import Foundation
import OCIKit
import Testing
import TestSupport

/// Channels are typed (issue 22, item 6): a channel cannot take the shape of a tag edgepack writes itself, promote
/// checks its target whole before any tag moves or record is written, and racing channel moves record what each
/// really replaced.
@Suite(.serialized) struct ChannelSafetyTests {
    let channelRecords = "application/vnd.edgepack.publish.record.v1+json"

    func client() throws -> RegistryClient {
        var options = RegistryOptions()
        options.plainHTTP = true
        return try RegistryClient.connect(host: registries.token, credential: .password(username: "edgepack", password: "edgepack-pass"), options: options)
    }

    func publishToChannel(_ definition: String, registry: String, channel: String) throws -> ChannelRecord {
        let result = try edgepack(["publish", definition, "--registry", registry, "--channel", channel, "--json", "-q"], environment: pusher)
        guard result.succeeded else { throw TestFailure("publish: \(result.stderr)") }
        return try JSONDecoder().decode(ChannelRecord.self, from: Data(result.stdout.utf8))
    }

    /// Every shape edgepack writes or reads as something else is refused in one line, exit 64, before any request:
    /// the registry named here does not exist (a request would fail with a connection error instead).
    @Test func aChannelShapedLikeEdgepacksOwnTagsIsRefusedBeforeAnyRequest() throws {
        let dir = try TemporaryDirectory()
        let definition = try randomModelsPipeline([1024], named: "typed", in: dir)
        let export = try edgepack(["export", definition, "-o", dir.file("typed.tar")])
        #expect(export.succeeded, "\(export.stderr)")
        let nowhere = "127.0.0.1:9/typed"
        let hex = String(repeating: "ab", count: 32)
        let refused: [(String, String)] = [
            ("11111111-1111-1111-1111-111111111111", "it has the shape of a version tag"),
            ("2C5968B7-62FA-49F8-9489-AAF84CFB80AA", "it has the shape of a version tag"),
            ("latest", "edgepack never writes latest"),
            ("Latest", "edgepack never writes latest"),
            ("sha256-\(hex).sig", "it has the shape of the tags that hold signatures, attestations and referrers"),
            ("sha256-\(hex)", "it has the shape of the tags that hold signatures, attestations and referrers"),
            ("sha512-abc", "it has the shape of the tags that hold signatures, attestations and referrers"),
            ("0.0.1-2c5968b7-62fa-49f8-9489-aaf84cfb80aa", "it has the shape of a chart version tag"),
        ]
        for (channel, reason) in refused {
            for command in [["publish", definition, "--registry", nowhere], ["push", dir.file("typed.tar"), "--registry", nowhere],
                            ["promote", "typed", "2c5968b7-62fa-49f8-9489-aaf84cfb80aa", "--registry", nowhere]] {
                let result = try edgepack(command + ["--channel", channel], environment: pusher)
                #expect(result.status == 64, "\(command[0]) --channel \(channel): \(result.stderr)")
                #expect(result.stderr.hasPrefix("edgepack: error: --channel: '\(channel)' cannot be a channel: \(reason)"), "\(result.stderr)")
                #expect(result.stderr.contains("choose a name such as prod") && result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
            }
        }
        // A huge name is shown cut short, not echoed whole.
        let huge = try edgepack(["publish", definition, "--registry", nowhere, "--channel", String(repeating: "x", count: 5000) + "!"], environment: pusher)
        #expect(huge.status == 64 && huge.stderr.count < 400, "\(huge.stderr.prefix(300))")
    }

    /// Against a real registry: a channel named after another version, or `latest`, leaves every tag as it was.
    @Test func aRefusedChannelLeavesEveryTagAsItWas() throws {
        let registry = "\(registries.token)/typed\(UUID().uuidString.prefix(6).lowercased())"
        let dir = try TemporaryDirectory()
        let definition = try randomModelsPipeline([1024], named: "typed", in: dir)
        let v1 = try publishToChannel(definition, registry: registry, channel: "prod")
        try writeRandomModel(dir.file("models/m0.bin"), bytes: 1024)
        for channel in [v1.pipeline_version, "latest"] {
            let result = try edgepack(["publish", definition, "--registry", registry, "--channel", channel, "-q"], environment: pusher)
            #expect(result.status == 64, "\(result.stderr)")
        }
        let client = try client()
        let repository = Repository(unchecked: String(registry.dropFirst(registries.token.count + 1)) + "/pipelines/typed")
        #expect(try client.manifestDigest(.tag(v1.pipeline_version), in: repository)?.string == v1.pipeline_digest)
        #expect(try client.manifestDigest(.tag("latest"), in: repository) == nil)
        let tags = try client.tags(of: repository).filter { !Cosign.isCosignTag($0) }.sorted()
        #expect(tags == ["prod", v1.pipeline_version, "sha256-" + v1.pipeline_digest.dropFirst(7)].sorted(), "\(tags)")
    }

    /// promote checks the version it is given whole (a pipeline of this name, saying it is that version, with its
    /// compose file) before it moves a tag or writes a record: on each failure the channel and the records stay.
    @Test func promoteChecksItsTargetBeforeMovingAnything() throws {
        let path = "promo\(UUID().uuidString.prefix(6).lowercased())"
        let registry = "\(registries.token)/\(path)"
        let dir = try TemporaryDirectory()
        let definition = try randomModelsPipeline([1024], named: "promoted", in: dir)
        let v1 = try publishToChannel(definition, registry: registry, channel: "c1")
        let client = try client()
        let pipelines = Repository(unchecked: "\(path)/pipelines/promoted"), compose = Repository(unchecked: "\(path)/compose/promoted")
        let v1Digest = try OCIKit.Digest(parsing: v1.pipeline_digest)
        func recordCount() throws -> Int { try client.referrers(of: v1Digest, in: pipelines.path, artifactType: channelRecords).count }
        let records = try recordCount()

        // Tags a hostile registry (or a careless hand) could hold under a version-shaped name.
        let composeAsVersion = UUID().uuidString.lowercased(), copiedVersion = UUID().uuidString.lowercased(), noCompose = UUID().uuidString.lowercased()
        let composeBytes = try client.fetchManifestBytes(.tag(v1.pipeline_version), in: compose)
        for layer in try CanonicalJSON.decode(Manifest.self, from: composeBytes.bytes, what: "compose").layers {
            #expect(try client.mountBlob(layer.digest, into: pipelines, from: compose))
        }
        _ = try client.putManifest(composeBytes.blob, as: .tag(composeAsVersion), in: pipelines)
        let pipeline = try client.fetchManifestBytes(.tag(v1.pipeline_version), in: pipelines)
        _ = try client.putManifest(pipeline.blob, as: .tag(copiedVersion), in: pipelines)
        var renamed = try CanonicalJSON.decode(Manifest.self, from: pipeline.bytes, what: "pipeline")
        renamed.annotations?[AnnotationKey.version] = noCompose
        _ = try client.putManifest(Blob(mediaType: MediaType.imageManifest, bytes: try CanonicalJSON.encode(renamed)), as: .tag(noCompose), in: pipelines)

        let cases: [(String, Int32, String)] = [
            ("sha256-\(v1Digest.encoded).sig", 64, "is not a version of promoted: a version is a UUID"),
            ("not-a-version", 64, "is not a version of promoted"),
            (composeAsVersion, 1, "is not a pipeline edgepack published as promoted"),
            (copiedVersion, 1, "says it is version \(v1.pipeline_version), not \(copiedVersion)"),
            (noCompose, 1, "version \(noCompose) of promoted is incomplete: \(path)/compose/promoted:\(noCompose) is missing"),
        ]
        for (version, status, message) in cases {
            let result = try edgepack(["promote", "promoted", version, "--channel", "c1", "--registry", registry], environment: pusher)
            #expect(result.status == status && result.stderr.contains(message), "\(version): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
            #expect(try client.manifestDigest(.tag("c1"), in: pipelines) == v1Digest, "\(version) moved c1")
            #expect(try client.manifestDigest(.tag("c1"), in: compose) == composeBytes.blob.descriptor.digest, "\(version) moved compose c1")
            #expect(try recordCount() == records, "\(version) wrote a record")
            // A new channel is not created either.
            let fresh = try edgepack(["promote", "promoted", version, "--channel", "c2", "--registry", registry], environment: pusher)
            let c2 = try client.manifestDigest(.tag("c2"), in: pipelines)
            #expect(!fresh.succeeded && c2 == nil, "\(version) created c2")
        }
    }

    /// Two publishes of different versions to one channel at once, three rounds: the records form a chain (one
    /// replaced what the channel named before the round, the other replaced the first), and the channel ends on the
    /// one that replaced the other.
    @Test func racingChannelPublishesRecordWhatEachReplaced() throws {
        let path = "racechain\(UUID().uuidString.prefix(6).lowercased())"
        let registry = "\(registries.token)/\(path)"
        let dirs = try (0..<2).map { _ in try TemporaryDirectory() }
        let definitions = try dirs.map { try randomModelsPipeline([2048], named: "chained", in: $0) }
        let client = try client()
        var before: [ListedVersion.Replaced] = []
        for round in 0..<3 {
            for dir in dirs { try writeRandomModel(dir.file("models/m0.bin"), bytes: 2048) }
            let results = runTogether(definitions.map { ["publish", $0, "--registry", registry, "--channel", "prod", "--json", "-q"] })
            let records = try results.map { result -> ChannelRecord in
                let finished = try result.get()
                guard finished.succeeded else { throw TestFailure("round \(round): \(finished.stderr)") }
                return try JSONDecoder().decode(ChannelRecord.self, from: Data(finished.stdout.utf8))
            }
            let replacedOf = { (record: ChannelRecord) in [ListedVersion.Replaced(pipeline_version: record.pipeline_version, pipeline_digest: record.pipeline_digest)] }
            let chain = records.indices.first { first in
                let second = 1 - first
                return records[first].replaces == before && records[second].replaces == replacedOf(records[first])
            }
            let first = try #require(chain, "round \(round) is no chain: before \(before.map(\.pipeline_version)), \(records.map { ($0.pipeline_version, $0.replaces.map(\.pipeline_version)) })")
            let last = records[1 - first]
            #expect(try client.manifestDigest(.tag("prod"), in: Repository(unchecked: "\(path)/pipelines/chained"))?.string == last.pipeline_digest, "round \(round)")
            before = replacedOf(last)
        }
        // publishes shows the same chain: every version but the first replaced exactly one, each a different one.
        let listing = try edgepack(["publishes", "chained", "--registry", registry, "--json"], environment: pusher)
        let versions = try JSONDecoder().decode([ListedVersion].self, from: Data(listing.stdout.utf8))
        #expect(versions.count == 6 && versions.filter(\.replaces.isEmpty).count == 1, "\(versions.map { ($0.version, $0.replaces.map(\.pipeline_version)) })")
        #expect(Set(versions.flatMap(\.replaces).map(\.pipeline_version)).count == 5)
    }
}
