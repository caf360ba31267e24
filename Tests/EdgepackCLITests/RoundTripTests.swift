import Foundation
import Testing
import TestSupport

/// Registry round trips follow what changed, not how many models or blobs a pipeline has.
@Suite struct RoundTripTests {
    /// The requests a command sent, from `EDGEPACK_TRACE` (method and URL only).
    func requests(_ result: ProcessResult) -> [String] {
        result.stderr.split(separator: "\n").filter { $0.hasPrefix("> ") }.map { String($0.dropFirst(2)) }
    }

    @Test func republishingSendsOneHeadPerManifestAndNoTokenPerRepository() throws {
        let registry = "\(registries.token)/roundtrip\(UUID().uuidString.prefix(6).lowercased())"
        let environment = pusher.merging(["EDGEPACK_TRACE": "1"]) { $1 }
        // The pipeline's own artifacts only (attestations add their own look-ups, counted elsewhere).
        let (first, _) = try publish("ccfraud/edgepack.yaml", registry: registry, environment: environment, extra: ["--no-attest"])
        #expect(first.succeeded, "\(first.stderr)")
        let (again, record) = try publish("ccfraud/edgepack.yaml", registry: registry, environment: environment, extra: ["--no-attest"])
        #expect(again.succeeded, "\(again.stderr)")
        let sent = requests(again)
        // Distinct: the first requests, sent before any token, are sent again with it.
        let manifestHeads = Set(sent.filter { $0.hasPrefix("HEAD ") && $0.contains("/manifests/") })
        #expect(manifestHeads.count == record?.references.count, "\(manifestHeads)")
        #expect(!sent.contains { $0.contains("/blobs/") }, "an unchanged artifact's blobs are vouched for by its manifest: \(sent)")
        #expect(sent.filter { $0.contains("/token?") }.count <= 2, "one token for the ping, one for every repository: \(sent)")
    }
}

extension RoundTripTests {
    /// Publishing again without a key: the pipeline's unsigned attestations are byte-identical for the same
    /// inputs, so the `.att` the registry holds is recognised by one HEAD and neither read back nor written.
    @Test func republishingFindsItsAttestationsByOneHead() throws {
        let registry = "\(registries.token)/attagain\(UUID().uuidString.prefix(6).lowercased())"
        let environment = pusher.merging(["EDGEPACK_TRACE": "1"]) { $1 }
        let (first, _) = try publish("ccfraud/edgepack.yaml", registry: registry, environment: environment)
        #expect(first.succeeded, "\(first.stderr)")
        let (again, _) = try publish("ccfraud/edgepack.yaml", registry: registry, environment: environment)
        #expect(again.succeeded, "\(again.stderr)")
        let attestation = requests(again).filter { $0.contains(".att") }
        #expect(Set(attestation).count == 1 && attestation.allSatisfy { $0.hasPrefix("HEAD ") }, "\(attestation)")
        #expect(!requests(again).contains { $0.contains("/blobs/") || $0.hasPrefix("PUT ") }, "\(requests(again))")
    }

    /// A first publish does not ask about small blobs of its new artifacts (configs, small models) before sending
    /// them: each would cost a request answering "no". Large blobs are still asked about, and a model layer the
    /// pipeline's repository shares is mounted, not sent again.
    @Test func aFirstPublishSendsSmallBlobsWithoutAskingFirst() throws {
        let registry = "\(registries.token)/firstpublish\(UUID().uuidString.prefix(6).lowercased())"
        let environment = pusher.merging(["EDGEPACK_TRACE": "1"]) { $1 }
        let (first, record) = try publish("ccfraud/edgepack.yaml", registry: registry, environment: environment, extra: ["--no-attest"])
        #expect(first.succeeded, "\(first.stderr)")
        let sent = requests(first)
        #expect(!sent.contains { $0.hasPrefix("HEAD ") && $0.contains("/blobs/") }, "a small blob was asked about: \(sent.filter { $0.contains("/blobs/") })")
        let mounts = sent.filter { $0.hasPrefix("POST ") && $0.contains("mount=") }
        #expect(mounts.count >= record?.models.count ?? 99, "the pipeline mounts each model's layer: \(mounts)")
        // Everything arrived: skopeo copies the pipeline out of the registry, checking every digest.
        let out = try TemporaryDirectory()
        let copy = try run("skopeo", ["copy", "-q", "--src-tls-verify=false", "--src-creds", "edgepack:edgepack-pass",
                                      "docker://\(try #require(record).pipeline_url)", "oci:\(out.file("out")):x"])
        #expect(copy.succeeded, "\(copy.stderr)")
    }
}
