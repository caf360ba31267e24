import EdgepackKit
import Foundation
import OCIKit
import Testing
import TestSupport

/// A pipeline built from a copy of a fixture (in a git repository with an uncommitted change), with its
/// signatures and attestations, as `export --sign-key` writes it.
struct SignedPipeline {
    static let environment = ["SOURCE_DATE_EPOCH": "1700000000", "GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "acme/edge",
                              "GITHUB_RUN_ID": "4242", "GITHUB_RUN_ATTEMPT": "1", "SECRET_TOKEN": "never-copied"]
    let dir: TemporaryDirectory
    let build: PipelineBuild
    let supply: [Artifact]
    let definitionPath: String

    init(_ fixtureName: String = "ccfraud", key: SigningKey?, registry: String = "registry.example/edge", dir: TemporaryDirectory) throws {
        self.dir = dir
        let copy = try copyFixture(fixtureName, into: dir)
        for arguments in [["init", "-q"], ["add", "."], ["-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "models"]] {
            let result = try run("git", ["-C", copy] + arguments)
            guard result.succeeded else { throw TestFailure("git \(arguments): \(result.stderr)") }
        }
        definitionPath = copy + "/edgepack.yaml"
        try (String(contentsOfFile: definitionPath, encoding: .utf8) + "\n# uncommitted\n").write(toFile: definitionPath, atomically: true, encoding: .utf8)
        let workspace = Workspace(useCache: false)
        build = try workspace.build(workspace.load(definitionPath), registry: registry)
        supply = try SupplyChain(key: key, toolVersion: "9.9.9", environment: Self.environment).artifacts(for: build)
    }

    var all: [Artifact] { build.artifacts + supply }
    var pipelineDigest: Digest { build.pipeline.manifestBlob.descriptor.digest }
    var pipelineReference: String { build.pipeline.reference }

    func bundle(_ name: String = "bundle.tar", leaving: (Artifact) -> Bool = { _ in false }) throws -> String {
        let path = dir.file(name)
        try Copier.copy(all.filter { !leaving($0) }, to: LayoutArchiveDestination(path: path, mtime: 0))
        return path
    }

    /// The DSSE envelopes of the pipeline's `.att` image, by predicate type.
    func envelopes() throws -> [String: [UInt8]] {
        let attestation = try #require(supply.first { $0.tag == Cosign.attestationTag(for: pipelineDigest) })
        var result: [String: [UInt8]] = [:]
        for layer in attestation.layers {
            guard case .bytes(let bytes) = layer.content else { throw TestFailure("attestation layer not in memory") }
            #expect(layer.descriptor.mediaType == "application/vnd.dsse.envelope.v1+json")
            result[layer.descriptor.annotations?["predicateType"] ?? ""] = bytes
        }
        return result
    }
}

func statement(_ envelope: [UInt8]) throws -> [String: Any] {
    let outer = try #require(try JSONSerialization.jsonObject(with: Data(envelope)) as? [String: Any])
    let payload = try #require(Data(base64Encoded: outer["payload"] as? String ?? ""))
    return try #require(try JSONSerialization.jsonObject(with: payload) as? [String: Any])
}

@Suite(.serialized) struct SigningTests {
    @Test func attestationsPassInTotoAndSPDXToolsAndSignaturesPassCosignsCheck() throws {
        let dir = try TemporaryDirectory()
        let pair = try TestKeyPair(in: dir, password: "site secret")
        let signed = try SignedPipeline(key: SigningKey(path: pair.privatePath, password: "site secret"), dir: dir)
        let envelopes = try signed.envelopes()
        #expect(Set(envelopes.keys) == ["https://spdx.dev/Document", "https://slsa.dev/provenance/v1"])

        // in-toto verifies every envelope with the public key; the statements are about the pipeline manifest.
        let paths = try envelopes.map { try dir.write("\(UUID().uuidString).dsse.json", Data($0.value)) }
        let checked = try run(repositoryRoot + "/scripts/check-attestations", [pair.publicPath] + paths)
        #expect(checked.succeeded, "\(checked.stderr)")
        #expect(checked.stdout.split(separator: "\n").count == 2)
        #expect(checked.stdout.split(separator: "\n").allSatisfy { $0.contains("\"subjects\": [\"\(signed.pipelineDigest)\"]") && $0.contains("https://in-toto.io/Statement/v1") })
        let other = try TestKeyPair(in: dir, name: "other")
        #expect(try !run(repositoryRoot + "/scripts/check-attestations", [other.publicPath] + paths).succeeded)

        // pyspdxtools validates the SBOM, which names every model with its file and digest, and the engine.
        let sbom = try #require(try statement(envelopes["https://spdx.dev/Document"]!)["predicate"] as? [String: Any])
        let sbomPath = try dir.write("sbom.spdx.json", try JSONSerialization.data(withJSONObject: sbom, options: [.withoutEscapingSlashes]))
        let validated = try run("pyspdxtools", ["-i", sbomPath])
        #expect(validated.succeeded && !validated.stdout.lowercased().contains("error") && !validated.stderr.lowercased().contains("error"), "\(validated.stdout)\(validated.stderr)")
        let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: sbomPath)), as: UTF8.self)
        for model in signed.build.models {
            for part in [model.spec.name, model.version, model.sha, model.spec.framework.rawValue, (model.spec.resolvedPath as NSString).lastPathComponent] {
                #expect(text.contains(part), "SBOM lacks \(part)")
            }
        }
        for model in signed.build.models {
            #expect(text.contains("pkg:oci/\(model.spec.name)@sha256%3A\(model.artifact.manifestBlob.descriptor.digest.encoded)?repository_url=registry.example/edge/models/\(model.spec.name)"))
        }
        #expect(text.contains("Tool: edgepack-9.9.9") && text.contains("2023-11-14T22:13:20Z"))
        let engine = try ImageReference(parsing: signed.build.release.engine.image)
        #expect(text.contains("\"name\":\"\(engine.nameAsWritten)\"") && text.contains("\"versionInfo\":\"\(engine.tag!)\""))

        // The provenance: builder, the definition and model files with digests, the git commit (dirty), the CI run.
        let provenance = try #require(try statement(envelopes["https://slsa.dev/provenance/v1"]!)["predicate"] as? [String: Any])
        let provenanceText = String(decoding: try JSONSerialization.data(withJSONObject: provenance, options: [.withoutEscapingSlashes]), as: UTF8.self)
        let head = try run("git", ["-C", (signed.definitionPath as NSString).deletingLastPathComponent, "rev-parse", "HEAD"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let definitionDigest = SHA256Hasher.digest(Array(try Data(contentsOf: URL(fileURLWithPath: signed.definitionPath))))
        for part in ["edgepack@9.9.9", definitionDigest.encoded, "\"gitCommit\":\"\(head)\"", "\"gitDirty\":true",
                     "https://github.com/acme/edge/actions/runs/4242/attempts/1", "\"startedOn\":\"2023-11-14T22:13:20Z\""] + signed.build.models.map(\.sha) {
            #expect(provenanceText.contains(part), "provenance lacks \(part)")
        }
        #expect(!provenanceText.contains("never-copied"))

        // cosign's verification, recomputed from its format for every manifest: payload digest, claims, openssl.
        for artifact in signed.build.artifacts {
            let digest = artifact.manifestBlob.descriptor.digest
            let signature = try #require(signed.supply.first { $0.reference == "\(artifact.repository):sha256-\(digest.encoded).sig" })
            let layer = try #require(signature.layers.first)
            guard case .bytes(let payload) = layer.content else { throw TestFailure("payload not in memory") }
            #expect(SHA256Hasher.digest(payload) == layer.descriptor.digest && layer.descriptor.mediaType == "application/vnd.dev.cosign.simplesigning.v1+json")
            let claims = try #require(try JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any])
            let critical = try #require(claims["critical"] as? [String: Any])
            #expect((critical["image"] as? [String: String])?["docker-manifest-digest"] == digest.string)
            #expect((critical["identity"] as? [String: String])?["docker-reference"] == "registry.example/edge/\(artifact.repository)")
            #expect(critical["type"] as? String == "cosign container image signature")
            let base64 = try #require(layer.descriptor.annotations?["dev.cosignproject.cosign/signature"])
            #expect(try pair.opensslVerifies(signature: Array(Data(base64Encoded: base64)!), of: payload, in: dir))
        }
    }

    @Test func payloadsAreByteIdenticalAcrossRunsWhileSignaturesDiffer() throws {
        let dir = try TemporaryDirectory()
        let key = try SigningKey(path: TestKeyPair(in: dir).privatePath)
        let signed = try SignedPipeline(key: key, dir: dir)
        let chain = SupplyChain(key: key, toolVersion: "9.9.9", environment: SignedPipeline.environment)
        let first = try chain.statements(for: signed.build), second = try chain.statements(for: signed.build)
        #expect(try CanonicalJSON.encode(first.sbom) == CanonicalJSON.encode(second.sbom))
        #expect(try CanonicalJSON.encode(first.provenance) == CanonicalJSON.encode(second.provenance))
        let envelopes = try (first.sbom.envelope(key: key), first.sbom.envelope(key: key))
        #expect(envelopes.0.payload == envelopes.1.payload && envelopes.0.signatures != envelopes.1.signatures)
        // Without a key the attestations are still there, unsigned; with --no-attest they are not.
        let unsigned = try SupplyChain(key: nil, toolVersion: "9.9.9", environment: SignedPipeline.environment).artifacts(for: signed.build)
        #expect(unsigned.count == 1 && unsigned[0].tag == Cosign.attestationTag(for: signed.pipelineDigest) && unsigned[0].layers.count == 2)
        #expect(try SupplyChain(key: nil, attest: false, toolVersion: "9.9.9").artifacts(for: signed.build).isEmpty)
    }

    @Test func verifyChecksABundlesPipelineAndEveryModel() throws {
        let dir = try TemporaryDirectory()
        let pair = try TestKeyPair(in: dir)
        let signed = try SignedPipeline(key: SigningKey(path: pair.privatePath), dir: dir)
        let reference = "\(try signed.bundle()):\(signed.pipelineReference)"
        let result = try edgepack(["verify", reference, "--key", pair.publicPath])
        #expect(result.succeeded, "\(result.stderr)")
        let listed = try edgepack(["inspect", dir.file("bundle.tar")])
        #expect(listed.succeeded && listed.stdout.contains("pipelines/ccfraud-pipeline:sha256-\(signed.pipelineDigest.encoded).att"), "\(listed.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 1 + signed.build.models.count)
        #expect(lines[0].contains("pipelines/ccfraud-pipeline@\(signed.pipelineDigest)") && lines[0].contains("https://slsa.dev/provenance/v1"))
        for model in signed.build.models {
            #expect(lines.contains { $0.contains("models/\(model.spec.name)@\(model.artifact.manifestBlob.descriptor.digest)") })
        }

        func fails(_ arguments: [String], _ expected: String) throws {
            let result = try edgepack(arguments)
            #expect(result.status == 1 && result.stdout.isEmpty, "\(result.stdout)")
            #expect(result.stderr.hasPrefix("edgepack: error: ") && result.stderr.contains(expected) && result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        }
        let other = try TestKeyPair(in: dir, name: "other")
        try fails(["verify", reference, "--key", other.publicPath], "verifies with \(other.publicPath)")
        let model = signed.build.models[1].artifact
        let lacking = try signed.bundle("no-model-signature.tar") { $0.repository == model.repository && $0.tag.hasSuffix(".sig") }
        try fails(["verify", "\(lacking):\(signed.pipelineReference)", "--key", pair.publicPath],
                  "no signature for \(lacking):\(model.repository)@\(model.manifestBlob.descriptor.digest)")
        // A signature payload altered inside the bundle after signing.
        let tampered = try signed.bundle("tampered.tar")
        var bytes = try Data(contentsOf: URL(fileURLWithPath: tampered))
        let claim = try #require(bytes.range(of: Data("\"docker-manifest-digest\":\"\(signed.pipelineDigest)\"".utf8)))
        bytes.replaceSubrange(claim.prefix(8), with: Data("\"DOCKER-".utf8))
        try bytes.write(to: URL(fileURLWithPath: tampered))
        try fails(["verify", "\(tampered):\(signed.pipelineReference)", "--key", pair.publicPath], "was tampered with")
        // The whole bundle, found by its one pipeline (what inspect --verify-key runs).
        let verified = try PipelineVerifier.verify(bundle: ImageLayoutBundle(path: dir.file("bundle.tar")), key: VerificationKey(path: pair.publicPath), keyName: "k")
        #expect(verified.map(\.repository) == ["pipelines/ccfraud-pipeline"] + signed.build.models.map { "models/\($0.spec.name)" })
        let whole = try edgepack(["verify", dir.file("bundle.tar"), "--key", pair.publicPath])
        #expect(whole.succeeded && whole.stdout == result.stdout, "\(whole.stderr)")
        let unsigned = try SignedPipeline(key: nil, dir: TemporaryDirectory())
        try fails(["verify", "\(try unsigned.bundle()):\(unsigned.pipelineReference)", "--key", pair.publicPath], "no signature for ")
    }

    @Test func verifyChecksTheMirroredEngineToo() throws {
        let dir = try TemporaryDirectory()
        let pair = try TestKeyPair(in: dir)
        let key = try SigningKey(path: pair.privatePath)
        let signed = try SignedPipeline(key: key, dir: dir)
        // A mirrored engine image where the engine issue puts it: `engine:TAG` (the source's tag).
        let tag = try #require(try ImageReference(parsing: signed.build.release.engine.image).tag)
        let config = Blob(mediaType: MediaType.imageConfig, bytes: Array(#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#.utf8))
        let engine = try Artifact(reference: "engine:\(tag)", manifest: Manifest(config: config.descriptor, layers: []), config: config, layers: [])
        let engineDigest = engine.manifestBlob.descriptor.digest
        let engineSignature = try SupplyChain(key: key, toolVersion: "9.9.9", environment: SignedPipeline.environment)
            .signatures(for: [SignedManifest(repository: "engine", digest: engineDigest)], prefix: signed.build.layout.prefix)
        #expect(engineSignature.map(\.reference) == ["engine:sha256-\(engineDigest.encoded).sig"])

        let withEngine = dir.file("with-engine.tar")
        try Copier.copy(signed.all + [engine] + engineSignature, to: LayoutArchiveDestination(path: withEngine, mtime: 0))
        let result = try edgepack(["verify", "\(withEngine):\(signed.pipelineReference)", "--key", pair.publicPath])
        #expect(result.succeeded, "\(result.stderr)")
        #expect(result.stdout.contains("engine@\(engineDigest) (signed for registry.example/edge/engine)"), "\(result.stdout)")

        let unsignedEngine = dir.file("unsigned-engine.tar")
        try Copier.copy(signed.all + [engine], to: LayoutArchiveDestination(path: unsignedEngine, mtime: 0))
        let failed = try edgepack(["verify", "\(unsignedEngine):\(signed.pipelineReference)", "--key", pair.publicPath])
        #expect(failed.status == 1 && failed.stderr.contains("no signature for \(unsignedEngine):engine@\(engineDigest)"), "\(failed.stderr)")
    }

    @Test func signaturesSurviveTheAirGapAndASiteKeySignsBeside() throws {
        let dir = try TemporaryDirectory()
        let builder = try TestKeyPair(in: dir, name: "builder"), site = try TestKeyPair(in: dir, name: "site")
        let signed = try SignedPipeline(key: SigningKey(path: builder.privatePath), dir: dir)
        let opened = try ImageLayoutBundle(path: try signed.bundle())

        // At the site: the bundle's artifacts for the site registry, its signatures kept, the site's added.
        let prefix = "site/\(UUID().uuidString.prefix(8).lowercased())"
        let layout = try RegistryLayout(prefix: "\(registries.token)/\(prefix)")
        let rebuilt = try PipelineBuild(bundle: opened, for: layout)
        let extra = try SupplyChain(key: SigningKey(path: site.privatePath), toolVersion: "9.9.9", existing: ExistingCosignImages(source: opened)).artifacts(for: rebuilt)
        try Copier.copy(rebuilt.artifacts + extra, to: RegistryDestination(client: try siteClient(), prefixPath: prefix))

        // Pushing again with the same key, keeping what the registry holds, changes no signature or attestation.
        let again = try SupplyChain(key: SigningKey(path: site.privatePath), toolVersion: "9.9.9",
                                    existing: ExistingCosignImages(source: try siteClient(), prefixPath: prefix)).artifacts(for: rebuilt)
        #expect(again.map(\.manifestBlob) == extra.map(\.manifestBlob))

        let reference = "\(registries.token)/\(prefix)/\(signed.pipelineReference)"
        let reader = ["OCI_USERNAME": "reader", "OCI_PASSWORD": "reader-pass"]
        for key in [builder, site] {
            let result = try edgepack(["verify", reference, "--key", key.publicPath, "--plain-http"], environment: reader)
            #expect(result.succeeded, "\(result.stderr)")
            #expect(result.stdout.split(separator: "\n").count == 1 + signed.build.models.count)
        }
        // The builder's signature names the registry it was built for; the site's, the site's.
        let signature = try #require(extra.first { $0.tag == Cosign.signatureTag(for: signed.pipelineDigest) })
        #expect(signature.layers.count == 2)
        let attestation = try #require(extra.first { $0.tag == Cosign.attestationTag(for: signed.pipelineDigest) })
        for layer in attestation.layers {
            guard case .bytes(let bytes) = layer.content else { throw TestFailure("attestation layer not in memory") }
            #expect(try CanonicalJSON.decode(DSSEEnvelope.self, from: bytes, what: "envelope").signatures.count == 2)
        }
        let other = try TestKeyPair(in: dir, name: "other")
        let wrong = try edgepack(["verify", reference, "--key", other.publicPath, "--plain-http"], environment: reader)
        #expect(wrong.status == 1 && wrong.stderr.contains("verifies with"), "\(wrong.stderr)")
    }

    private func siteClient() throws -> RegistryClient {
        var options = RegistryOptions()
        options.plainHTTP = true
        return try RegistryClient.connect(host: registries.token, credential: .password(username: "edgepack", password: "edgepack-pass"), options: options)
    }
}
