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
    func attachSBOM(to subject: Digest, in repository: String, client: RegistryClient? = nil) throws -> Digest {
        let client = try client ?? sourceClient()
        let subjectBlob = try client.fetchManifestBytes(.digest(subject), in: Repository(unchecked: repository)).blob
        let config = Blob(mediaType: MediaType.empty, bytes: Array("{}".utf8))
        let sbom = Blob(mediaType: Self.sbomType, bytes: Array(#"{"spdxVersion":"SPDX-2.3","name":"vendor engine \#(UUID())"}"#.utf8))
        let referrer = try Artifact(reference: "\(repository):unused",
                                    manifest: Manifest(artifactType: Self.sbomType, config: config.descriptor, layers: [sbom.descriptor],
                                                       subject: subjectBlob.descriptor, annotations: ["org.example.kind": "sbom"]),
                                    config: config, layers: [sbom])
        try Copier(from: ArtifactSource([referrer]), to: RegistryDestination(client: client, prefixPath: ""))
            .copy([CopyItem(descriptor: referrer.manifestBlob.descriptor, sourceRepository: Repository(unchecked: repository), repository: repository, tag: nil)])
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
        // A referrer the destination gained on its own is kept when the mirror is published again: the index
        // there is added to, as a client attaching a referrer does, not replaced.
        let destination = try edgepackClient(registries.token)
        let engineRepository = String(prefix.dropFirst(registries.token.count + 1)) + "/engine"
        let own = try attachSBOM(to: arm, in: engineRepository, client: destination)
        let again = try edgepack(["publish", definition, "--registry", prefix], environment: environment(dir))
        #expect(again.succeeded, "\(again.stderr)")
        let listed = try rawJSON("docker://\(prefix)/engine:\(tag)")["manifests"] as? [[String: Any]] ?? []
        #expect(Set(listed.compactMap { $0["digest"] as? String }) == [referrer.string, own.string], "\(listed)")

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

    /// A source and a destination with the referrers API (the quirky proxy's): the referrer is found through the
    /// API (the source has no `sha256-HEX` tag) and the destination lists it by its subject.
    @Test func referrersFoundThroughTheAPIAreListedByADestinationWithTheAPI() throws {
        let dir = try TemporaryDirectory()
        let prefix = "uprefapi\(UUID().uuidString.prefix(6).lowercased())"
        try registries.setQuirks(["referrers": "1"], match: "/v2/\(prefix)/")
        let client = try edgepackClient(registries.quirky)
        let repository = "\(prefix)/vendor/engine"
        let copied = try run("skopeo", ["copy", "-q", "--all", "--preserve-digests", "--dest-tls-verify=false", "--dest-creds", "edgepack:edgepack-pass",
                                        "oci:\(image.directory)/oci:v1", "docker://\(registries.quirky)/\(repository):v1"])
        try #require(copied.succeeded, "\(copied.stderr)")
        let arm = try Digest(parsing: try #require(image.summary.platforms["linux/arm64"]).manifest)
        let referrer = try attachSBOM(to: arm, in: repository, client: client)
        #expect(!(try client.tags(of: Repository(unchecked: repository)).contains(ReferrersIndex.tag(for: arm))), "the source lists it by its API alone")

        let definition = try definition(dir, engine: "\(registries.quirky)/\(repository):v1")
        let environment = pusher.merging(["EDGEPACK_SOURCE_USERNAME": "edgepack", "EDGEPACK_SOURCE_PASSWORD": "edgepack-pass", "EDGEPACK_CACHE_DIR": dir.file("cache")]) { $1 }
        let published = try edgepack(["publish", definition, "--registry", "\(registries.quirky)/\(prefix)/mirror"], environment: environment)
        #expect(published.succeeded, "\(published.stderr)")
        let listed = try client.referrers(of: arm, in: "\(prefix)/mirror/engine", artifactType: Self.sbomType)
        #expect(listed.map(\.digest) == [referrer], "\(listed)")

        let bundle = dir.file("bundle.tar")
        let exported = try edgepack(["export", definition, "-o", bundle, "--registry", "ghcr.io/acme/edge", "--no-cache"], environment: environment)
        #expect(exported.succeeded, "\(exported.stderr)")
        expectReferrer(index: try rawJSON("oci-archive:\(bundle):engine:\(ReferrersIndex.tag(for: arm))"), manifest: try bundleJSON(bundle, referrer), referrer: referrer, subject: arm)
    }

    @Test func moreReferrersThanTheBoundsFailTheExportInOneLine() throws {
        let dir = try TemporaryDirectory()
        let (repository, arm) = try vendorImage(signedBy: try TestKeyPair(in: dir, name: "vendor"))
        for _ in 0...64 { _ = try attachSBOM(to: arm, in: repository) }
        let bundle = dir.file("bundle.tar")
        let exported = try edgepack(["export", try definition(dir, engine: "\(source)/\(repository):v1"), "-o", bundle, "--registry", "ghcr.io/acme/edge"],
                                    environment: environment(dir))
        #expect(exported.status == 1 && exported.stderr.hasPrefix("edgepack: error: image \(source)/\(repository):v1: has more than 64 referrers"), "\(exported.stderr)")
        #expect(exported.stderr.split(separator: "\n").count == 1 && !FileManager.default.fileExists(atPath: bundle), "\(exported.stderr)")
    }
}
