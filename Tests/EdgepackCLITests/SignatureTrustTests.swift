import EdgepackKit
import Foundation
import OCIKit
import Testing
import TestSupport

/// Issue 22, items 3 and 4: a signature vouches for every byte of what it signs (a flipped byte in a bundle or
/// served by a registry fails verification, naming the blob), a stripped attestation is noticed, and publishing
/// again, without a key or with another one, never takes a signature or attestation away.
@Suite(.serialized) struct SignatureTrustTests {
    /// Flips one byte in the middle of a blob inside a bundle (its size unchanged).
    func flipByte(of descriptor: Descriptor, in bundlePath: String) throws {
        guard case .fileRange(_, let offset, let length) = try ImageLayoutBundle(path: bundlePath).blob(descriptor).content else {
            throw TestFailure("blob \(descriptor.digest) is not a range of the bundle")
        }
        try flipByte(in: bundlePath, at: offset + length / 2)
    }

    func flipByte(in path: String, at offset: Int64) throws {
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        defer { try? handle.close() }
        try handle.seek(toOffset: UInt64(offset))
        let byte = try #require(try handle.read(upToCount: 1)?.first)
        try handle.seek(toOffset: UInt64(offset))
        try handle.write(contentsOf: Data([byte ^ 0x20]))
    }

    func expectOneLineFailure(_ result: ProcessResult, _ expected: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status == 1 && result.stdout.isEmpty, "\(result.stdout)", sourceLocation: sourceLocation)
        #expect(result.stderr.hasPrefix("edgepack: error: ") && result.stderr.split(separator: "\n").count == 1, "\(result.stderr)", sourceLocation: sourceLocation)
        for part in expected { #expect(result.stderr.contains(part), "lacks \(part): \(result.stderr)", sourceLocation: sourceLocation) }
    }

    @Test func aFlippedByteInASignedBundlesModelFailsVerifyAndInspect() throws {
        let dir = try TemporaryDirectory()
        let pair = try TestKeyPair(in: dir)
        let signed = try SignedPipeline(key: SigningKey(path: pair.privatePath), dir: dir)
        let bundle = try signed.bundle()
        #expect(try edgepack(["verify", bundle, "--key", pair.publicPath]).succeeded)
        let model = try #require(signed.build.models.first { $0.artifact.layers.first?.descriptor.mediaType == MediaType.ModelPack.weightRaw })
        let layer = try #require(model.artifact.layers.first).descriptor
        try flipByte(of: layer, in: bundle)

        let blob = "blob \(layer.digest) (\((model.spec.resolvedPath as NSString).lastPathComponent)) does not hash to its digest"
        expectOneLineFailure(try edgepack(["verify", bundle, "--key", pair.publicPath]), [blob])
        expectOneLineFailure(try edgepack(["verify", "\(bundle):\(signed.pipelineReference)", "--key", pair.publicPath]), [blob])
        let inspected = try edgepack(["inspect", bundle, "--verify-key", pair.publicPath])
        #expect(inspected.status == 1 && inspected.stdout.isEmpty && inspected.stderr.split(separator: "\n").count == 1 && inspected.stderr.contains(blob),
                "\(inspected.stderr)")
    }

    @Test func aStrippedAttestationFailsVerifyNamingWhatIsMissing() throws {
        let dir = try TemporaryDirectory()
        let pair = try TestKeyPair(in: dir)
        let signed = try SignedPipeline(key: SigningKey(path: pair.privatePath), dir: dir)
        let attestationTag = Cosign.attestationTag(for: signed.pipelineDigest)
        let sbom = "https://spdx.dev/Document", provenance = "https://slsa.dev/provenance/v1"

        // The .att removed from index.json and its blobs: the pipeline's signature still promises both.
        let stripped = try signed.bundle("stripped.tar") { $0.tag == attestationTag }
        #expect(!(try String(contentsOfFile: stripped, encoding: .isoLatin1)).contains(attestationTag))
        for arguments in [["verify", stripped, "--key", pair.publicPath], ["inspect", stripped, "--verify-key", pair.publicPath]] {
            let result = try edgepack(arguments)
            #expect(result.status == 1 && result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
            #expect(result.stderr.contains("promises the \(provenance) and \(sbom) attestations, but there is no \(attestationTag) beside it"), "\(result.stderr)")
        }

        // Only the provenance layer removed from the .att.
        let attestation = try #require(signed.supply.first { $0.tag == attestationTag })
        let sbomOnly = try CosignImage.artifact(reference: attestation.reference, layers: attestation.layers.compactMap { layer in
            guard layer.descriptor.annotations?["predicateType"] == sbom, case .bytes(let bytes) = layer.content else { return nil }
            return CosignLayer(mediaType: layer.descriptor.mediaType, payload: bytes, annotations: layer.descriptor.annotations ?? [:])
        })
        let halved = dir.file("halved.tar")
        try Copier.copy(signed.all.filter { $0.tag != attestationTag } + [sbomOnly], to: LayoutArchiveDestination(path: halved, mtime: 0))
        expectOneLineFailure(try edgepack(["verify", halved, "--key", pair.publicPath]),
                             ["promises the \(provenance) attestation, but \(attestationTag) holds none signed by \(pair.publicPath)"])

        // A signature that promises nothing (no attestations were made): passes, unless they are required.
        let bare = try SignedPipeline(key: SigningKey(path: pair.privatePath), dir: TemporaryDirectory())
        let plain = try SupplyChain(key: SigningKey(path: pair.privatePath), attest: false, toolVersion: "9.9.9").artifacts(for: bare.build)
        let noClaim = bare.dir.file("no-claim.tar")
        try Copier.copy(bare.build.artifacts + plain, to: LayoutArchiveDestination(path: noClaim, mtime: 0))
        let passes = try edgepack(["verify", noClaim, "--key", pair.publicPath])
        #expect(passes.succeeded, "\(passes.stderr)")
        expectOneLineFailure(try edgepack(["verify", noClaim, "--key", pair.publicPath, "--require-attestations"]),
                             ["no attestations: there is no sha256-\(bare.pipelineDigest.encoded).att beside it"])
        let keyless = try edgepack(["inspect", noClaim, "--require-attestations"])
        #expect(keyless.status == 64 && keyless.stderr.split(separator: "\n").count == 1 && keyless.stderr.contains("pass --verify-key"), "\(keyless.stderr)")
    }

    @Test func aRegistryServingOtherBytesFailsVerifyAndInspectAndPull() throws {
        let dir = try TemporaryDirectory()
        let pair = try TestKeyPair(in: dir)
        // Models of random bytes of this test's own: the registry's storage is shared by every test's publishes.
        let definition = try randomModelsPipeline([40_000, 3_000], named: "tampered", in: dir)
        let registry = "\(registries.token)/trust\(UUID().uuidString.prefix(6).lowercased())"
        let published = try edgepack(["publish", definition, "--registry", registry, "--json"], environment: pusher.merging(["EDGEPACK_SIGN_KEY": pair.privatePath]) { $1 })
        #expect(published.succeeded, "\(published.stderr)")
        let reference = try JSONDecoder().decode(Record.self, from: Data(published.stdout.utf8)).pipeline_url
        let verified = try edgepack(["verify", reference, "--key", pair.publicPath, "--plain-http"], environment: pusher)
        #expect(verified.succeeded, "\(verified.stderr)")

        let model = SHA256Hasher.digest(Array(try Data(contentsOf: URL(fileURLWithPath: dir.file("models/m0.bin")))))
        let stored = "\(registries.state)/token/docker/registry/v2/blobs/sha256/\(model.encoded.prefix(2))/\(model.encoded)/data"
        try flipByte(in: stored, at: 20_000)

        let blob = "blob \(model) (m0.bin) does not hash to its digest"
        expectOneLineFailure(try edgepack(["verify", reference, "--key", pair.publicPath, "--plain-http"], environment: pusher), [blob])
        let inspected = try edgepack(["inspect", reference, "--verify-key", pair.publicPath, "--plain-http"], environment: pusher)
        expectOneLineFailure(inspected, [blob])
        // pull re-hashes every blob it writes (verified once, not downloaded twice): refused, nothing written.
        let pulled = try edgepack(["pull", reference, "-o", dir.file("edge"), "--verify-key", pair.publicPath, "--plain-http"], environment: pusher)
        let errors = pulled.stderr.split(separator: "\n").filter { !$0.hasPrefix("verified ") }
        #expect(pulled.status == 1 && errors.count == 1 && errors[0].hasPrefix("edgepack: error: ") && errors[0].contains(model.string), "\(pulled.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.file("edge")))
    }

    /// `skopeo inspect --raw` of a pipeline's `.sig` and `.att` (the registry's bytes).
    func cosignManifests(_ record: Record) throws -> (sig: String, att: String) {
        let repository = String(record.pipeline_url[..<record.pipeline_url.lastIndex(of: ":")!])
        let hex = record.pipeline_digest.dropFirst("sha256:".count)
        return try (raw("\(repository):sha256-\(hex).sig"), raw("\(repository):sha256-\(hex).att"))
    }

    func raw(_ reference: String) throws -> String {
        let result = try run("skopeo", ["inspect", "--raw", "--creds", "edgepack:edgepack-pass", "--tls-verify=false", "docker://\(reference)"])
        guard result.succeeded else { throw TestFailure("skopeo inspect --raw \(reference): \(result.stderr)") }
        return result.stdout
    }

    @Test func publishingAgainWithoutAKeyOrWithAnotherKeepsEverySignature() throws {
        let dir = try TemporaryDirectory()
        let first = try TestKeyPair(in: dir, name: "first"), second = try TestKeyPair(in: dir, name: "second")
        let registry = "\(registries.token)/keep\(UUID().uuidString.prefix(6).lowercased())"
        let definition = "ccfraud/edgepack.yaml"
        let environment = ["SOURCE_DATE_EPOCH": "1700000000"].merging(pusher) { $1 }
        func verifies(_ record: Record, _ key: TestKeyPair) throws -> ProcessResult {
            try edgepack(["verify", record.pipeline_url, "--key", key.publicPath, "--plain-http"], environment: pusher)
        }

        let (signed, signedRecord) = try publish(definition, registry: registry, environment: environment.merging(["EDGEPACK_SIGN_KEY": first.privatePath]) { $1 })
        #expect(signed.succeeded, "\(signed.stderr)")
        let record = try #require(signedRecord)
        let before = try cosignManifests(record)
        #expect(try verifies(record, first).succeeded)

        // Again without a key: the .sig and .att stay byte for byte, said on stderr; verify still passes.
        let (unsigned, _) = try publish(definition, registry: registry, environment: environment)
        #expect(unsigned.succeeded, "\(unsigned.stderr)")
        #expect(unsigned.stderr.contains("kept the existing signatures and 2 attestations of the pipeline; added none (no signing key"), "\(unsigned.stderr)")
        let afterUnsigned = try cosignManifests(record)
        #expect(afterUnsigned.sig == before.sig && afterUnsigned.att == before.att)
        let stillVerifies = try verifies(record, first)
        #expect(stillVerifies.succeeded && stillVerifies.stdout.contains("https://slsa.dev/provenance/v1"), "\(stillVerifies.stderr)")

        // With another key: its signature goes beside the first in the same .sig, and its signature joins each
        // envelope of the same statements; either key verifies everything.
        let (resigned, _) = try publish(definition, registry: registry, environment: environment.merging(["EDGEPACK_SIGN_KEY": second.privatePath]) { $1 })
        #expect(resigned.succeeded, "\(resigned.stderr)")
        let manifests = record.models.count + 3  // the models, the pipeline, the chart and the compose file
        #expect(resigned.stderr.contains("kept \(manifests) existing signatures of \(manifests) manifests and 2 attestations of the pipeline; added \(manifests) signatures with the signing key"), "\(resigned.stderr)")
        let after = try cosignManifests(record)
        let sig = try JSONDecoder().decode(Manifest.self, from: Data(after.sig.utf8))
        #expect(sig.layers.count == 2 && sig.layers.allSatisfy { $0.mediaType == Cosign.simpleSigningMediaType })
        let earlier = try JSONDecoder().decode(Manifest.self, from: Data(before.sig.utf8))
        #expect(sig.layers.first == earlier.layers.first, "the first key's signature stays first")
        let att = try JSONDecoder().decode(Manifest.self, from: Data(after.att.utf8))
        #expect(att.layers.count == 2)
        for key in [first, second] {
            let result = try verifies(record, key)
            #expect(result.succeeded && result.stdout.contains("https://spdx.dev/Document") && result.stdout.contains("https://slsa.dev/provenance/v1"),
                    "\(key.publicPath): \(result.stderr)")
        }
        // The same key again adds nothing: nothing is written.
        let (again, _) = try publish(definition, registry: registry, environment: environment.merging(["EDGEPACK_SIGN_KEY": second.privatePath]) { $1 })
        #expect(again.succeeded && again.stderr.contains("the signing key had signed them already"), "\(again.stderr)")
        let unchanged = try cosignManifests(record)
        #expect(unchanged.sig == after.sig && unchanged.att == after.att)
    }

    @Test func pushingABundleAgainWithoutTheSiteKeyKeepsTheSitesSignatures() throws {
        let dir = try TemporaryDirectory()
        let builder = try TestKeyPair(in: dir, name: "builder"), site = try TestKeyPair(in: dir, name: "site")
        let export = try edgepack(["export", fixture("ccfraud/edgepack.yaml"), "-o", dir.file("bundle.tar")], environment: ["EDGEPACK_SIGN_KEY": builder.privatePath])
        #expect(export.succeeded, "\(export.stderr)")
        let registry = "\(registries.token)/site\(UUID().uuidString.prefix(6).lowercased())"
        func push(_ environment: [String: String]) throws -> (ProcessResult, Record?) {
            let result = try edgepack(["push", dir.file("bundle.tar"), "--registry", registry, "--json"], environment: pusher.merging(environment) { $1 })
            return (result, result.succeeded ? try JSONDecoder().decode(Record.self, from: Data(result.stdout.utf8)) : nil)
        }
        let (signed, signedRecord) = try push(["EDGEPACK_SIGN_KEY": site.privatePath])
        #expect(signed.succeeded, "\(signed.stderr)")
        let record = try #require(signedRecord)
        let before = try cosignManifests(record)

        let (again, _) = try push([:])
        #expect(again.succeeded && again.stderr.contains("existing signatures of") && again.stderr.contains("added none"), "\(again.stderr)")
        let after = try cosignManifests(record)
        #expect(after.sig == before.sig && after.att == before.att)
        for key in [builder, site] {
            let result = try edgepack(["verify", record.pipeline_url, "--key", key.publicPath, "--plain-http"], environment: pusher)
            #expect(result.succeeded, "\(key.publicPath): \(result.stderr)")
        }
    }
}
