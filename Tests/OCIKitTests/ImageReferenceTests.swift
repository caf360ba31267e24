import Testing
@testable import OCIKit

@Suite struct ImageReferenceTests {
    @Test func splitsRegistryRepositoryTagAndDigest() throws {
        let full = try ImageReference(parsing: "ghcr.io/wallaroolabs/doc-samples/engine:v2023.3.0-main-3731")
        #expect(full.registry == "ghcr.io" && full.repository == "wallaroolabs/doc-samples/engine" && full.tag == "v2023.3.0-main-3731")
        let port = try ImageReference(parsing: "localhost:5000/engine@sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(port.registry == "localhost:5000" && port.tag == nil && port.digest != nil)
        let hub = try ImageReference(parsing: "engine:v1")
        #expect(hub.registry == "docker.io" && hub.repository == "engine" && hub.nameAsWritten == "engine")
    }

    @Test func aTagBesideADigestIsKeptButTheDigestIsWhatIsFetched() throws {
        let digest = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        let both = try ImageReference(parsing: "127.0.0.1:5000/edge/pipelines/p:v1@\(digest)")
        #expect(both.registry == "127.0.0.1:5000" && both.repository == "edge/pipelines/p" && both.tag == "v1")
        #expect(both.manifestReference == digest)
        #expect(both.description == "127.0.0.1:5000/edge/pipelines/p:v1@\(digest)")
        #expect(try ImageReference(parsing: "127.0.0.1:5000/edge/p").manifestReference == nil)
        #expect(ImageReference.join("edge/p", digest) == "edge/p@\(digest)")
        #expect(ImageReference.join("edge/p", "v1") == "edge/p:v1")
    }

    @Test(arguments: ["", ":v1", "ghcr.io/x:", "x@sha256:abc"])
    func rejectsMalformedReferences(text: String) {
        #expect(throws: OCIError.self) { try ImageReference(parsing: text) }
    }
}
