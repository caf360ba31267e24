import Foundation
import Testing
import TestSupport
@testable import OCIKit

@Suite struct RegistryTypesTests {
    @Test func aManifestReferenceIsADigestOnlyWhenItParsesAsOne() throws {
        let digest = SHA256Hasher.digest(Array("x".utf8))
        #expect(ManifestReference(digest.string) == .digest(digest))
        #expect(ManifestReference("v1") == .tag("v1"))
        #expect(ManifestReference("sha256:short") == .tag("sha256:short"))
        #expect(ImageReference.join(Repository(unchecked: "edge/p"), .digest(digest)) == "edge/p@\(digest)")
        #expect(ImageReference.join(Repository(unchecked: "edge/p"), .tag("v1")) == "edge/p:v1")
        #expect(Repository(unchecked: "").appending("models/a") == Repository(unchecked: "models/a"))
        #expect(Repository(unchecked: "acme/edge").appending("models/a").path == "acme/edge/models/a")
    }

    /// An upload session exists only from an answer with its Location (resolved against the registry), and moves
    /// with later answers that carry one.
    @Test func anUploadSessionNeedsItsLocation() throws {
        let client = try connectToTokenRegistry()
        #expect(try UploadSession(opened: HTTPResponse(status: 202, headers: [], body: []), by: client) == nil)
        #expect(try UploadSession(opened: HTTPResponse(status: 201, headers: [("location", "/v2/a/blobs/uploads/1")], body: []), by: client) == nil)
        let session = try #require(try UploadSession(opened: HTTPResponse(status: 202, headers: [("location", "/v2/a/blobs/uploads/1")], body: []), by: client))
        #expect(session.location == "\(client.baseURL)/v2/a/blobs/uploads/1" && session.offset == 0)
        let moved = try session.after(HTTPResponse(status: 202, headers: [("location", "/v2/a/blobs/uploads/2")], body: []), offset: 10, client: client)
        #expect(moved.location == "\(client.baseURL)/v2/a/blobs/uploads/2" && moved.offset == 10)
        let kept = try moved.after(HTTPResponse(status: 202, headers: [], body: []), offset: 20, client: client)
        #expect(kept.location == moved.location && kept.offset == 20)
        #expect(HTTPMethod.get.isSafe && HTTPMethod.head.isSafe && !HTTPMethod.put.isSafe && HTTPMethod.patch.rawValue == "PATCH")
    }
}
