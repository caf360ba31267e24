import Foundation
import OCIKit
import Testing
import TestSupport

/// A mirrored engine keeps its source's OCI referrers (docs/images.md "Signatures"): an SBOM attached to the
/// image with `subject` in a registry without the referrers API (distribution 2.8, so the `sha256-HEX`
/// referrers-tag index) arrives in the destination registry, the bundle and the site, read by skopeo.
extension UpstreamSignatureTests {
    static let sbomType = "application/spdx+json"

    /// An SBOM artifact whose subject is `subject` in `repository` of the source, attached as a client does (the
    /// manifest by digest, then the referrers-tag index).
    func attachSBOM(to subject: Digest, in repository: String) throws -> Digest {
        let client = try sourceClient()
        let subjectBlob = try client.fetchManifestBytes(.digest(subject), in: Repository(repository)).blob
        let config = Blob(mediaType: MediaType.empty, bytes: Array("{}".utf8))
        let sbom = Blob(mediaType: Self.sbomType, bytes: Array(#"{"spdxVersion":"SPDX-2.3","name":"vendor engine \#(UUID())"}"#.utf8))
        let referrer = try Artifact(reference: "\(repository):unused",
                                    manifest: Manifest(artifactType: Self.sbomType, config: config.descriptor, layers: [sbom.descriptor],
                                                       subject: subjectBlob.descriptor, annotations: ["org.example.kind": "sbom"]),
                                    config: config, layers: [sbom])
        try Copier(from: ArtifactSource([referrer]), to: RegistryDestination(client: client, prefixPath: ""))
            .copy([CopyItem(descriptor: referrer.manifestBlob.descriptor, sourceRepository: repository, repository: repository, tag: nil)])
        try client.attachReferrer(referrer.manifestBlob, manifest: referrer.manifest, in: repository)
        return referrer.manifestBlob.descriptor.digest
    }

    /// The JSON skopeo reads raw at `reference`.
    func rawJSON(_ reference: String) throws -> [String: Any] {
        let result = try run("skopeo", ["inspect", "--raw", "--tls-verify=false", "--creds", "edgepack:edgepack-pass", reference])
        guard result.succeeded else { throw TestFailure("skopeo inspect \(reference): \(result.stderr)") }
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    /// The blob `digest` of a bundle, as tar reads it (skopeo 1.9 names no manifest by digest in an archive).
    func bundleJSON(_ bundle: String, _ digest: Digest) throws -> [String: Any] {
        let result = try run("tar", ["-xOf", bundle, "blobs/sha256/\(digest.encoded)"])
        guard result.succeeded else { throw TestFailure("tar \(bundle): \(result.stderr)") }
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    /// The referrers-tag index `index` lists `referrer` alone, and `manifest` is that referrer, with the image
    /// as its subject.
    func expectReferrer(index: [String: Any], manifest carried: [String: Any], referrer: Digest, subject: Digest) {
        let listed = index["manifests"] as? [[String: Any]] ?? []
        #expect(listed.map { $0["digest"] as? String } == [referrer.string], "\(listed)")
        #expect(listed.first?["artifactType"] as? String == Self.sbomType)
        #expect((carried["subject"] as? [String: Any])?["digest"] as? String == subject.string, "\(carried)")
        #expect((carried["layers"] as? [[String: Any]])?.first?["mediaType"] as? String == Self.sbomType)
    }

    @Test func theSourcesReferrersTravelToTheRegistryTheBundleAndTheSite() throws {
        let dir = try TemporaryDirectory()
        let (repository, arm) = try vendorImage(signedBy: try TestKeyPair(in: dir, name: "vendor"))
        let referrer = try attachSBOM(to: arm, in: repository)
        let definition = try definition(dir, engine: "\(source)/\(repository):v1")
        let tag = ReferrersIndex.tag(for: arm)

        let prefix = "\(registries.token)/upref\(UUID().uuidString.prefix(6).lowercased())"
        let published = try edgepack(["publish", definition, "--registry", prefix], environment: environment(dir))
        #expect(published.succeeded, "\(published.stderr)")
        expectReferrer(index: try rawJSON("docker://\(prefix)/engine:\(tag)"), manifest: try rawJSON("docker://\(prefix)/engine@\(referrer)"), referrer: referrer, subject: arm)

        let bundle = dir.file("bundle.tar")
        let exported = try edgepack(["export", definition, "-o", bundle, "--registry", "ghcr.io/acme/edge"], environment: environment(dir))
        #expect(exported.succeeded, "\(exported.stderr)")
        expectReferrer(index: try rawJSON("oci-archive:\(bundle):engine:\(tag)"), manifest: try bundleJSON(bundle, referrer), referrer: referrer, subject: arm)
        // The referrers' index is no image of its own.
        let inspected = try edgepack(["inspect", bundle])
        let images = inspected.stdout.components(separatedBy: "\n\n").first { $0.hasPrefix("IMAGE") }?.split(separator: "\n") ?? []
        #expect(inspected.succeeded && images.count == 2 && images[1].hasPrefix("engine:v1 "), "\(inspected.stdout)")
        let verified = try edgepack(["inspect", bundle, "--verify"])
        #expect(verified.succeeded, "\(verified.stderr)")

        let site = "\(registries.basic)/site\(UUID().uuidString.prefix(6).lowercased())"
        let pushed = try edgepack(["push", bundle, "--registry", site], environment: pusher)
        #expect(pushed.succeeded, "\(pushed.stderr)")
        expectReferrer(index: try rawJSON("docker://\(site)/engine:\(tag)"), manifest: try rawJSON("docker://\(site)/engine@\(referrer)"), referrer: referrer, subject: arm)
    }
}
