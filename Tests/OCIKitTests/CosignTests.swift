import Foundation
import Testing
import TestSupport
@testable import OCIKit

/// A small artifact to sign, as `models/demo:v1`.
func demoArtifact(_ text: String = "weights") throws -> Artifact {
    let config = Blob(mediaType: MediaType.empty, bytes: Array("{}".utf8))
    let layer = Blob(mediaType: "application/octet-stream", bytes: Array(text.utf8))
    return try Artifact(reference: "models/demo:v1", manifest: Manifest(config: config.descriptor, layers: [layer.descriptor]), config: config, layers: [layer])
}

/// Writes artifacts into a bundle (an OCI layout tar) and opens it.
func bundle(_ artifacts: [Artifact], in dir: TemporaryDirectory, name: String = "bundle.tar") throws -> ImageLayoutBundle {
    let path = dir.file(name)
    try Copier.copy(artifacts, to: LayoutArchiveDestination(path: path, mtime: 0))
    return try ImageLayoutBundle(path: path)
}

struct Statement: Codable, Sendable { var note: String }

@Suite struct CosignTests {
    @Test func signatureImageIsCosigns() throws {
        let dir = try TemporaryDirectory()
        let pair = try TestKeyPair(in: dir)
        let key = try SigningKey(path: pair.privatePath)
        let subject = try demoArtifact().manifestBlob.descriptor.digest
        let signature = try CosignSigner.signatureArtifact(for: subject, repository: "models/demo", dockerReference: "registry.example/edge/models/demo", key: key)
        #expect(signature.reference == "models/demo:sha256-\(subject.encoded).sig")
        #expect(signature.manifest.mediaType == MediaType.imageManifest && signature.manifest.config.mediaType == MediaType.imageConfig)
        let layer = try #require(signature.layers.first)
        #expect(signature.layers.count == 1 && layer.descriptor.mediaType == "application/vnd.dev.cosign.simplesigning.v1+json")
        guard case .bytes(let payload) = layer.content else { Issue.record("payload not in memory"); return }
        #expect(String(decoding: payload, as: UTF8.self)
            == #"{"critical":{"identity":{"docker-reference":"registry.example/edge/models/demo"},"image":{"docker-manifest-digest":"\#(subject)"},"type":"cosign container image signature"},"optional":null}"#)
        // cosign's check, recomputed: the payload hashes to its descriptor, and openssl verifies the signature.
        #expect(SHA256Hasher.digest(payload) == layer.descriptor.digest)
        let base64 = try #require(layer.descriptor.annotations?["dev.cosignproject.cosign/signature"])
        #expect(try pair.opensslVerifies(signature: Array(Data(base64Encoded: base64)!), of: payload, in: dir))
        guard case .bytes(let config) = signature.config.content else { Issue.record("config not in memory"); return }
        #expect(String(decoding: config, as: UTF8.self)
            == #"{"architecture":"","created":"0001-01-01T00:00:00Z","history":[{"created":"0001-01-01T00:00:00Z"}],"os":"","rootfs":{"type":"layers","diff_ids":["\#(layer.descriptor.digest)"]},"config":{}}"#)

        // A second key's signature goes beside the first; the same key again adds nothing.
        let existing = signature.layers.map { CosignLayer(descriptor: $0.descriptor, payload: payload) }
        let site = try SigningKey(path: TestKeyPair(in: dir, name: "site").privatePath)
        let both = try CosignSigner.signatureArtifact(for: subject, repository: "models/demo", dockerReference: "registry.example/edge/models/demo", key: site, existing: existing)
        #expect(both.layers.count == 2 && both.layers[0] == signature.layers[0])
        let again = try CosignSigner.signatureArtifact(for: subject, repository: "models/demo", dockerReference: "registry.example/edge/models/demo", key: key, existing: existing)
        #expect(again.manifestBlob == signature.manifestBlob)
    }

    @Test func verifierAcceptsTheKeysSignatureAndAttestation() throws {
        let dir = try TemporaryDirectory()
        let key = try SigningKey(path: TestKeyPair(in: dir).privatePath)
        let artifact = try demoArtifact()
        let digest = artifact.manifestBlob.descriptor.digest
        let statement = InTotoStatement(subject: [.init(name: "models/demo", digest: digest)], predicateType: "https://example.com/note", predicate: Statement(note: "hi"))
        let opened = try bundle([
            artifact,
            try CosignSigner.signatureArtifact(for: digest, repository: "models/demo", dockerReference: "elsewhere.example/site/models/demo", key: key),
            try CosignSigner.attestationArtifact(for: digest, repository: "models/demo", attestations: [("https://example.com/note", try statement.envelope(key: key))]),
        ], in: dir)
        let verified = try CosignVerifier(source: opened, key: key.publicKey, keyName: "cosign.pub").verify(digest, in: "models/demo", identity: "models/demo")
        #expect(verified.dockerReference == "elsewhere.example/site/models/demo")
        #expect(verified.attestations == ["https://example.com/note"])
        // Signed for another repository: refused.
        let error = #expect(throws: OCIError.self) {
            try CosignVerifier(source: opened, key: key.publicKey, keyName: "cosign.pub").verify(digest, in: "models/demo", identity: "models/other")
        }
        #expect(error?.description.contains("is for elsewhere.example/site/models/demo, not models/other") == true, "\(String(describing: error))")
    }

    @Test func verifierFailuresAreOneClearLine() throws {
        let dir = try TemporaryDirectory()
        let key = try SigningKey(path: TestKeyPair(in: dir).privatePath)
        let other = try SigningKey(path: TestKeyPair(in: dir, name: "other").privatePath)
        let artifact = try demoArtifact()
        let digest = artifact.manifestBlob.descriptor.digest
        let signed = { (key: SigningKey) in
            try CosignSigner.signatureArtifact(for: digest, repository: "models/demo", dockerReference: "r.example/models/demo", key: key)
        }
        func failure(_ artifacts: [Artifact], _ name: String, patch: ((inout Data) -> Void)? = nil) throws -> String {
            let opened = try bundle(artifacts, in: dir, name: name)
            var source = opened
            if let patch {
                var data = try Data(contentsOf: URL(fileURLWithPath: opened.path))
                patch(&data)
                try data.write(to: URL(fileURLWithPath: opened.path))
                source = try ImageLayoutBundle(path: opened.path)
            }
            let error = #expect(throws: OCIError.self) {
                try CosignVerifier(source: source, key: key.publicKey, keyName: "cosign.pub").verify(digest, in: "models/demo", identity: "models/demo")
            }
            let text = error?.description ?? ""
            #expect(!text.contains("\n"))
            return text
        }
        #expect(try failure([artifact], "none.tar").contains("no signature for \(dir.file("none.tar")):models/demo@\(digest) (no sha256-\(digest.encoded).sig beside it)"))
        #expect(try failure([artifact, signed(other)], "other.tar").contains("no signature in sha256-\(digest.encoded).sig verifies with cosign.pub"))
        // The payload changed inside the bundle, after signing.
        let tampered = try failure([artifact, signed(key)], "tampered.tar") { data in
            let range = data.range(of: Data("container image signature".utf8))!
            data.replaceSubrange(range, with: Data("container image signaturE".utf8))
        }
        #expect(tampered.contains("was tampered with"), "\(tampered)")
        // A valid signature of another manifest, put under this digest's tag.
        let elsewhere = try CosignSigner.signatureArtifact(for: try demoArtifact("other").manifestBlob.descriptor.digest, repository: "models/demo", dockerReference: "r.example/models/demo", key: key)
        var moved = elsewhere
        moved.reference = "models/demo:\(Cosign.signatureTag(for: digest))"
        #expect(try failure([artifact, moved], "moved.tar").contains("is for sha256:"))
        // An attestation whose subject is another digest.
        let statement = InTotoStatement(subject: [.init(name: "models/demo", digest: elsewhere.manifestBlob.descriptor.digest)], predicateType: "https://example.com/note", predicate: Statement(note: "hi"))
        let attestation = try CosignSigner.attestationArtifact(for: digest, repository: "models/demo", attestations: [("https://example.com/note", try statement.envelope(key: key))])
        #expect(try failure([artifact, signed(key), attestation], "subject.tar").contains("attestation's subject digest differs"))
        let unsigned = try CosignSigner.attestationArtifact(for: digest, repository: "models/demo", attestations: [("https://example.com/note", try statement.envelope(key: nil))])
        #expect(try failure([artifact, signed(key), unsigned], "unsigned.tar").contains("attestation in sha256-\(digest.encoded).att is unsigned"))
    }

    /// Publishing or pushing again merges attestations: the key countersigns what it may vouch for (its own
    /// statements, a carried bundle's), never a statement planted in the registry it writes to; nothing signed is lost.
    @Test func attestationMergeCountersignsOnlyWhatTheKeyMayVouchFor() throws {
        let dir = try TemporaryDirectory()
        let key = try SigningKey(path: TestKeyPair(in: dir).privatePath)
        let other = try SigningKey(path: TestKeyPair(in: dir, name: "other").privatePath)
        let digest = try demoArtifact().manifestBlob.descriptor.digest
        func statement(_ note: String) -> InTotoStatement<Statement> {
            InTotoStatement(subject: [.init(name: "models/demo", digest: digest)], predicateType: "https://example.com/\(note)", predicate: Statement(note: note))
        }
        func layer(_ note: String, _ signer: SigningKey?) throws -> CosignLayer {
            CosignLayer(mediaType: Cosign.dsseMediaType, payload: try statement(note).envelope(key: signer).bytes(),
                        annotations: [Cosign.signatureAnnotation: "", Cosign.predicateTypeAnnotation: "https://example.com/\(note)"])
        }
        let planted = try layer("planted", other), earlierMine = try layer("mine", nil), carried = try layer("carried", other)
        var merge = AttestationMerge()
        try merge.add(.init(layers: [planted, earlierMine], mayCountersign: false))
        try merge.add(.init(layers: [carried, planted], mayCountersign: true))
        try merge.add(made: try statement("mine").envelope(key: key), predicateType: "https://example.com/mine", signed: true)
        let layers = try merge.layers(countersigningWith: key)
        #expect(layers.count == 3)
        let envelopes = try layers.map { try CanonicalJSON.decode(DSSEEnvelope.self, from: $0.payload, what: "envelope") }
        // The planted statement is carried too (a bundle brought it): countersigned once, its other signature kept.
        #expect(envelopes.allSatisfy { $0.isSigned(by: key.publicKey) })
        #expect(envelopes[0].isSigned(by: other.publicKey) && envelopes[2].isSigned(by: other.publicKey))
        #expect(envelopes[1].signatures.count == 1, "the unsigned statement of the same payload, now signed once")
        #expect(AttestationMerge.predicateTypes(in: layers, signedBy: key.publicKey) == ["https://example.com/carried", "https://example.com/mine", "https://example.com/planted"])

        // Found only in the destination, a planted statement stays as it is: not this key's to vouch for.
        var destinationOnly = AttestationMerge()
        try destinationOnly.add(.init(layers: [planted], mayCountersign: false))
        try destinationOnly.add(made: try statement("mine").envelope(key: key), predicateType: "https://example.com/mine", signed: true)
        let kept = try destinationOnly.layers(countersigningWith: key)
        #expect(kept.count == 2 && kept[0] == planted)
        #expect(AttestationMerge.predicateTypes(in: kept, signedBy: key.publicKey) == ["https://example.com/mine"])

        // Without a key, an unsigned statement is not put beside a signed one of its type, and replaces an unsigned one.
        let signedMine = try layer("mine", key)
        var unsigned = AttestationMerge()
        try unsigned.add(.init(layers: [signedMine, try layer("other", nil)], mayCountersign: false))
        try unsigned.add(made: try statement("mine").envelope(key: nil), predicateType: "https://example.com/mine", signed: false)
        var newer = statement("other")
        newer.predicate.note = "newer"
        try unsigned.add(made: try newer.envelope(key: nil), predicateType: "https://example.com/other", signed: false)
        let result = try unsigned.layers(countersigningWith: nil)
        #expect(result.count == 2 && result[0] == signedMine)
        #expect(try CanonicalJSON.decode(DSSEEnvelope.self, from: result[1].payload, what: "envelope").payload == (try newer.envelope(key: nil)).payload)
    }

    /// Every layer of a `.sig` or `.att` is read into memory (and kept when publishing again): a source listing
    /// more than `Cosign.maximumLayers` of them, or a larger one, is refused before any is read.
    @Test func oversizedCosignImagesAreRefusedBeforeReading() throws {
        let dir = try TemporaryDirectory()
        let key = try SigningKey(path: TestKeyPair(in: dir).privatePath)
        let artifact = try demoArtifact()
        let digest = artifact.manifestBlob.descriptor.digest
        let many = (0...Cosign.maximumLayers).map { CosignLayer(mediaType: Cosign.simpleSigningMediaType, payload: Array("\($0)".utf8), annotations: [:]) }
        let flooded = try CosignImage.artifact(reference: "models/demo:\(Cosign.signatureTag(for: digest))", layers: many)
        let opened = try bundle([artifact, flooded], in: dir)
        let error = #expect(throws: OCIError.self) {
            try CosignVerifier(source: opened, key: key.publicKey, keyName: "cosign.pub").verify(digest, in: "models/demo", identity: "models/demo")
        }
        #expect(error?.description.contains("has \(Cosign.maximumLayers + 1) layers; more than \(Cosign.maximumLayers) signatures or attestations are refused") == true,
                "\(String(describing: error))")
        #expect(throws: OCIError.self) { try opened.cosignLayers(tag: Cosign.signatureTag(for: digest), in: "models/demo") }
    }
}
