import Foundation
import Testing
import TestSupport
@testable import OCIKit

/// Names from users and registries are checked against the OCI grammar before they can reach a URL.
@Suite struct ReferenceValidationTests {
    @Test(arguments: ["", "..", "a/../b", "a/./b", "a//b", "/a", "a/", "A/b", "a/b\u{0}", "a b", "a/.."])
    func aRepositoryOutsideTheOCIGrammarIsRefused(path: String) {
        #expect(throws: OCIError.self) { try Repository(validating: path) }
    }

    @Test func aRepositoryInTheGrammarIsKept() throws {
        #expect(try Repository(validating: "acme/edge/pipelines/ccfraud-pipeline").path == "acme/edge/pipelines/ccfraud-pipeline")
        #expect(try Repository(validating: "a__b/c.d/e---f").path == "a__b/c.d/e---f")
        #expect(throws: Never.self) { try Repository.checkComponent("ccfraud-pipeline", as: "pipeline name") }
        for name in ["../x", "..", "a/b", "", ".x", "X"] {
            #expect(throws: OCIError.self) { try Repository.checkComponent(name, as: "pipeline name") }
        }
    }

    @Test func aTagOutsideTheGrammarIsRefusedAndADigestParsed() throws {
        let digest = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        #expect(try ManifestReference(validating: "prod") == .tag("prod"))
        #expect(try ManifestReference(validating: digest).digest?.string == digest)
        for text in ["..", "../x", "a/b", "", ".hidden", "-x", String(repeating: "a", count: 129), "sha256:abc"] {
            #expect(throws: OCIError.self) { try ManifestReference(validating: text) }
        }
    }

    @Test(arguments: ["127.0.0.1:5000/acme/pipelines/../../x:v1", "127.0.0.1:5000/acme/pipelines/..", "ghcr.io/a/./b", "ghcr.io/A/b:v1",
                      "ghcr.io/a/b:..", "ghcr.io/a/b:v/1", "localhost/a//b"])
    func aReferenceEscapingItsRepositoryIsRefused(text: String) throws {
        let error = try #require(throws: OCIError.self) { try ImageReference(parsing: text) }
        #expect(error.code == .invalidReference)
    }
}
