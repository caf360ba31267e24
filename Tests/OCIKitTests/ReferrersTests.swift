import Foundation
import Testing
import TestSupport
@testable import OCIKit

@Suite struct ReferrersTests {
    static let recordType = "application/vnd.example.record.v1+json"

    /// A small image pushed to `repository`, and a referrer of it (empty config, one layer, `subject` set).
    func subjectAndReferrer(_ client: RegistryClient, _ repository: String, note: String) throws -> (subject: Descriptor, referrer: Artifact) {
        let config = Blob(mediaType: MediaType.empty, bytes: Array("{}".utf8))
        let layer = Blob(mediaType: "application/octet-stream", bytes: Array("subject \(UUID())".utf8))
        let subject = try Artifact(reference: "\(repository):v1", manifest: Manifest(config: config.descriptor, layers: [layer.descriptor]), config: config, layers: [layer])
        let destination = RegistryDestination(client: client, prefixPath: "")
        try Copier.copy([subject], to: destination)
        let note = Blob(mediaType: Self.recordType, bytes: Array(note.utf8))
        let referrer = try Artifact(reference: "\(repository):unused",
                                    manifest: Manifest(artifactType: Self.recordType, config: config.descriptor, layers: [note.descriptor],
                                                       subject: subject.manifestBlob.descriptor, annotations: ["note": "yes"]),
                                    config: config, layers: [note])
        try Copier(from: ArtifactSource([referrer]), to: destination)
            .copy([CopyItem(descriptor: referrer.manifestBlob.descriptor, sourceRepository: Repository(unchecked: repository), repository: repository, tag: nil)])
        return (subject.manifestBlob.descriptor, referrer)
    }

    @Test func theTagSchemaHoldsReferrersWhereTheRegistryHasNoReferrersAPI() throws {
        let client = try connectToTokenRegistry()
        let repository = "referrers\(UUID().uuidString.prefix(6).lowercased())/subject"
        let (subject, referrer) = try subjectAndReferrer(client, repository, note: "one")
        try client.attachReferrer(referrer.manifestBlob, manifest: referrer.manifest, in: repository)
        try client.attachReferrer(referrer.manifestBlob, manifest: referrer.manifest, in: repository)  // once only
        let listed = try client.referrers(of: subject.digest, in: repository, artifactType: Self.recordType)
        #expect(listed.map(\.digest) == [referrer.manifestBlob.descriptor.digest])
        #expect(listed.first?.annotations?["note"] == "yes" && listed.first?.artifactType == Self.recordType)
        #expect(try client.referrers(of: subject.digest, in: repository, artifactType: "application/other").isEmpty)
        #expect(try client.tags(of: Repository(unchecked: repository)).contains(ReferrersIndex.tag(for: subject.digest)))
    }

    @Test func theReferrersAPIIsUsedWhereTheRegistryHasIt() throws {
        let registries = TestRegistries.shared
        let prefix = "refapi\(UUID().uuidString.prefix(6).lowercased())"
        try registries.setQuirks(["referrers": "1"], match: "/v2/\(prefix)/")
        var options = RegistryOptions()
        options.plainHTTP = true
        let client = try RegistryClient.connect(host: registries.quirky, credential: .password(username: "edgepack", password: "edgepack-pass"), options: options)
        let repository = "\(prefix)/subject"
        let (subject, referrer) = try subjectAndReferrer(client, repository, note: "two")
        try client.attachReferrer(referrer.manifestBlob, manifest: referrer.manifest, in: repository)
        let listed = try client.referrers(of: subject.digest, in: repository, artifactType: Self.recordType)
        #expect(listed.map(\.digest) == [referrer.manifestBlob.descriptor.digest])
        // The registry keeps the list itself: no fallback tag was written.
        #expect(!(try client.tags(of: Repository(unchecked: repository)).contains(ReferrersIndex.tag(for: subject.digest))))
    }

    @Test func responsesAreReadAsTheSpecShapesThem() throws {
        let index = """
        {"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[
         {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:\(String(repeating: "a", count: 64))","size":10,"artifactType":"\(Self.recordType)","annotations":{"k":"v"}},
         {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:\(String(repeating: "b", count: 64))","size":11,"artifactType":"application/vnd.dev.cosign.artifact.sig.v1+json"}]}
        """
        let all = try ReferrersIndex.referrers(in: Array(index.utf8), artifactType: nil)
        #expect(all.count == 2)
        let records = try ReferrersIndex.referrers(in: Array(index.utf8), artifactType: Self.recordType)
        #expect(records.count == 1 && records[0].annotations?["k"] == "v")
        #expect(throws: OCIError.self) { try ReferrersIndex.referrers(in: Array("{\"errors\":[]}".utf8), artifactType: nil) }
        let digest = try Digest(parsing: "sha256:" + String(repeating: "c", count: 64))
        #expect(ReferrersIndex.tag(for: digest) == "sha256-" + String(repeating: "c", count: 64))
        let added = ReferrersIndex.adding(all[0], to: ReferrersIndex.adding(all[0], to: nil))
        #expect(added.manifests.count == 1 && added.mediaType == MediaType.imageIndex)
    }
}
