import Foundation
import OCIKit
import Testing
import TestSupport

/// A mirrored engine keeps its vendor's cosign signatures and attestations (docs/images.md "Signatures"): they
/// are copied with it into the registry, the bundle and the site, beside edgepack's own, and `verify` checks the
/// engine with the vendor's key.
@Suite struct UpstreamSignatureTests {
    let image = TestImage.shared
    let source = TestRegistries.source.token
    let vendorScan = "https://vendor.example/scan/v1"

    /// The test image pushed to a repository of its own in the source registry, its arm64 manifest (and with
    /// `alsoSigning`, those digests) signed and attested by `vendor` in cosign's format.
    func vendorImage(signedBy vendor: TestKeyPair, alsoSigning: [String] = []) throws -> (repository: String, arm: Digest) {
        let repository = "vendor\(UUID().uuidString.prefix(6).lowercased())/engine"
        let copied = try run("skopeo", ["copy", "-q", "--all", "--preserve-digests", "--dest-tls-verify=false", "--dest-creds", "edgepack:edgepack-pass",
                                        "oci:\(image.directory)/oci:v1", "docker://\(source)/\(repository):v1"])
        guard copied.succeeded else { throw TestFailure("skopeo copy: \(copied.stderr)") }
        let arm = try Digest(parsing: try #require(image.summary.platforms["linux/arm64"]).manifest)
        let key = try SigningKey(path: vendor.privatePath)
        var artifacts: [Artifact] = []
        for digest in [arm] + (try alsoSigning.map { try Digest(parsing: $0) }) {
            artifacts.append(try CosignSigner.signatureArtifact(for: digest, repository: repository, dockerReference: "\(source)/\(repository)", key: key))
        }
        let statement = Array(#"{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"engine","digest":{"sha256":"\#(arm.encoded)"}}],"predicateType":"\#(vendorScan)","predicate":{}}"#.utf8)
        artifacts.append(try CosignSigner.attestationArtifact(for: arm, repository: repository,
                                                              attestations: [(vendorScan, try DSSEEnvelope(payload: statement, key: key))]))
        try Copier(from: ArtifactSource(artifacts), to: RegistryDestination(client: try sourceClient(), prefixPath: "")).copy(artifacts.map { CopyItem($0) })
        return (repository, arm)
    }

    func sourceClient() throws -> RegistryClient { try edgepackClient(source) }

    /// A client of a test registry on loopback (plain HTTP), as the user `edgepack`.
    func edgepackClient(_ host: String) throws -> RegistryClient {
        var options = RegistryOptions()
        options.plainHTTP = true
        return try RegistryClient.connect(host: host, credential: .password(username: "edgepack", password: "edgepack-pass"), options: options)
    }

    func definition(_ dir: TemporaryDirectory, engine: String) throws -> String {
        _ = try dir.write("def/m.onnx", "model bytes \(UUID())")
        return try dir.write("def/edgepack.yaml", """
            name: vendored
            engine:
              image: \(engine)
            deployment:
              arch: arm
            models:
              - {name: m, path: m.onnx, framework: onnx}
            steps:
              - model: m
            """)
    }

    func environment(_ dir: TemporaryDirectory) -> [String: String] {
        pusher.merging(["EDGEPACK_SOURCE_USERNAME": "reader", "EDGEPACK_SOURCE_PASSWORD": "reader-pass", "EDGEPACK_CACHE_DIR": dir.file("cache")]) { $1 }
    }

    /// The layers of the cosign image at `reference` (`docker://…:sha256-HEX.sig` or `oci-archive:…`), by skopeo.
    func cosignLayers(_ reference: String) throws -> [[String: Any]] {
        let result = try run("skopeo", ["inspect", "--raw", "--tls-verify=false", "--creds", "edgepack:edgepack-pass", reference])
        guard result.succeeded else { throw TestFailure("skopeo inspect \(reference): \(result.stderr)") }
        let manifest = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        return manifest?["layers"] as? [[String: Any]] ?? []
    }

    func verifies(_ reference: String, _ key: TestKeyPair) throws -> ProcessResult {
        try edgepack(["verify", reference, "--key", key.publicPath], environment: pusher)
    }

    @Test func theVendorsSignatureTravelsToTheRegistryTheBundleAndTheSiteBesideEdgepacks() throws {
        let dir = try TemporaryDirectory()
        let vendor = try TestKeyPair(in: dir, name: "vendor"), builder = try TestKeyPair(in: dir, name: "builder"), other = try TestKeyPair(in: dir, name: "other")
        let (repository, arm) = try vendorImage(signedBy: vendor)
        let definition = try definition(dir, engine: "\(source)/\(repository):v1")
        let sig = "sha256-\(arm.encoded).sig", att = "sha256-\(arm.encoded).att"

        // Published with edgepack's key: the vendor's signature layer stays first, edgepack's goes beside it.
        let prefix = "\(registries.token)/upsig\(UUID().uuidString.prefix(6).lowercased())"
        let published = try edgepack(["publish", definition, "--registry", prefix, "--sign-key", builder.privatePath], environment: environment(dir))
        #expect(published.succeeded, "\(published.stderr)")
        let signatures = try cosignLayers("docker://\(prefix)/engine:\(sig)")
        #expect(signatures.count == 2, "\(signatures)")
        #expect(try cosignLayers("docker://\(prefix)/engine:\(att)").first?["annotations"].map { "\($0)".contains(vendorScan) } == true)
        for key in [vendor, builder] {
            let verified = try verifies("\(prefix)/engine@\(arm)", key)
            #expect(verified.succeeded && verified.stdout.contains("\(prefix)/engine@\(arm)"), "\(verified.stderr)")
        }
        let refused = try verifies("\(prefix)/engine@\(arm)", other)
        #expect(refused.status == 1 && refused.stderr.contains("verifies with \(other.publicPath)") && refused.stderr.split(separator: "\n").count == 1, "\(refused.stderr)")
        // Publishing again rewrites nothing: the merged signature image is what the registry holds.
        let before = try cosignLayers("docker://\(prefix)/engine:\(sig)").map { $0["digest"] as? String }
        let again = try edgepack(["publish", definition, "--registry", prefix, "--sign-key", builder.privatePath], environment: environment(dir))
        #expect(again.succeeded, "\(again.stderr)")
        let after = try cosignLayers("docker://\(prefix)/engine:\(sig)").map { $0["digest"] as? String }
        #expect(after == before)

        // Exported without a key: the bundle carries the vendor's signature and attestation as found.
        let bundle = dir.file("bundle.tar")
        let exported = try edgepack(["export", definition, "-o", bundle, "--registry", "ghcr.io/acme/edge"], environment: environment(dir))
        #expect(exported.succeeded, "\(exported.stderr)")
        #expect(try cosignLayers("oci-archive:\(bundle):engine:\(sig)").count == 1)
        #expect(try cosignLayers("oci-archive:\(bundle):engine:\(att)").count == 1)
        let inBundle = try verifies("\(bundle):engine@\(arm)", vendor)
        #expect(inBundle.succeeded, "\(inBundle.stderr)")
        let inspected = try edgepack(["inspect", bundle])
        // The signature is listed among the references, and is no image of its own.
        let images = inspected.stdout.components(separatedBy: "\n\n").first { $0.hasPrefix("IMAGE") }?.split(separator: "\n") ?? []
        #expect(inspected.succeeded && images.count == 2 && images[1].hasPrefix("engine:v1 "), "\(inspected.stdout)")

        // Pushed to a site: the signature and the attestation arrive, and verify with the vendor's key there.
        let site = "\(registries.basic)/site\(UUID().uuidString.prefix(6).lowercased())"
        let pushed = try edgepack(["push", bundle, "--registry", site], environment: pusher)
        #expect(pushed.succeeded, "\(pushed.stderr)")
        #expect(try cosignLayers("docker://\(site)/engine:\(att)").count == 1)
        let atSite = try verifies("\(site)/engine@\(arm)", vendor)
        #expect(atSite.succeeded && atSite.stdout.contains("signed for \(source)/\(repository)"), "\(atSite.stderr) \(atSite.stdout)")
        #expect(try verifies("\(site)/engine@\(arm)", other).status == 1)
    }

    @Test func aSourceSignatureOverTheBoundsFailsTheExportInOneLine() throws {
        let dir = try TemporaryDirectory()
        let (repository, arm) = try vendorImage(signedBy: try TestKeyPair(in: dir, name: "vendor"))
        // 257 layers where cosign writes one or two: refused before any layer is read, nothing written.
        let layers = (0...256).map { CosignLayer(mediaType: Cosign.simpleSigningMediaType, payload: Array("payload \($0)".utf8), annotations: [:]) }
        let flood = try CosignImage.artifact(reference: "\(repository):sha256-\(arm.encoded).sig", layers: layers)
        try Copier(from: ArtifactSource([flood]), to: RegistryDestination(client: try sourceClient(), prefixPath: "")).copy([CopyItem(flood)])
        let bundle = dir.file("bundle.tar")
        let exported = try edgepack(["export", try definition(dir, engine: "\(source)/\(repository):v1"), "-o", bundle, "--registry", "ghcr.io/acme/edge"],
                                    environment: environment(dir))
        #expect(exported.status != 0 && exported.stderr.hasPrefix("edgepack: error: image \(source)/\(repository):v1: "), "\(exported.stderr)")
        #expect(exported.stderr.contains("257 layers") && exported.stderr.contains("engine.source") && exported.stderr.split(separator: "\n").count == 1, "\(exported.stderr)")
        #expect(!FileManager.default.fileExists(atPath: bundle))
    }

    @Test func allPlatformsCarriesTheIndexsSignatureAndEachPlatforms() throws {
        let dir = try TemporaryDirectory()
        let vendor = try TestKeyPair(in: dir, name: "vendor")
        let (repository, arm) = try vendorImage(signedBy: vendor, alsoSigning: [image.summary.index])
        let definition = try definition(dir, engine: "\(source)/\(repository):v1")
        let bundle = dir.file("bundle.tar")
        let exported = try edgepack(["export", definition, "-o", bundle, "--registry", "ghcr.io/acme/edge", "--all-platforms"], environment: environment(dir))
        #expect(exported.succeeded, "\(exported.stderr)")
        let index = try Digest(parsing: image.summary.index)
        for digest in [index, arm] {
            #expect(try cosignLayers("oci-archive:\(bundle):engine:sha256-\(digest.encoded).sig").count == 1)
        }
        let verified = try verifies("\(bundle):engine:v1", vendor)
        #expect(verified.succeeded && verified.stdout.contains("engine@\(index)"), "\(verified.stderr)")
    }
}
