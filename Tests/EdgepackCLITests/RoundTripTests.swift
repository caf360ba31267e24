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
