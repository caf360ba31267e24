import ArgumentParser
import EdgepackKit
import Foundation
import OCIKit

/// --sign-key and --no-attest: what publish, export and push sign and attest with.
struct SigningOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Sign every manifest in cosign's format with this ECDSA P-256 PKCS#8 PEM key (default: $EDGEPACK_SIGN_KEY).",
                               discussion: "An encrypted key's password is read from EDGEPACK_SIGN_KEY_PASSWORD (or COSIGN_PASSWORD)."),
            completion: .file())
    var signKey: String?

    @Flag(help: "Attach no SBOM or provenance to the pipeline.")
    var noAttest = false

    /// The key from --sign-key or EDGEPACK_SIGN_KEY, or nil when neither names one.
    func key(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> SigningKey? {
        guard let path = signKey ?? environment["EDGEPACK_SIGN_KEY"].flatMap({ $0.isEmpty ? nil : $0 }) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CommandError("cannot read the signing key \(path): pass --sign-key (or EDGEPACK_SIGN_KEY) with a readable PEM file")
        }
        let password = [environment["EDGEPACK_SIGN_KEY_PASSWORD"], environment["COSIGN_PASSWORD"]].compactMap { $0 }.first { !$0.isEmpty }
        if SigningKey.isEncrypted(Array(data)), password == nil {
            throw CommandError("the signing key \(path) is encrypted: set EDGEPACK_SIGN_KEY_PASSWORD to its password")
        }
        do {
            return try SigningKey(pem: Array(data), password: password, origin: path)
        } catch let error as OCIError {
            throw CommandError(error.message + (password != nil ? " (check EDGEPACK_SIGN_KEY_PASSWORD)" : ""))
        }
    }

    /// One line on stderr when a build's manifests were signed already: their signatures (and the pipeline's
    /// attestations) are kept, never replaced. Nothing when none were found signed.
    func noteKept(_ changes: CosignChanges, signed: Bool) {
        guard changes.keptSignatures + changes.signedAttestations > 0 else { return }
        func count(_ number: Int, _ noun: String) -> String { "\(number) \(noun)\(number == 1 ? "" : "s")" }
        var kept = changes.keptSignatures > 0 ? "kept \(count(changes.keptSignatures, "existing signature")) of \(count(changes.signedManifests, "manifest"))"
            : "kept the existing signatures"
        if changes.keptAttestations > 0 { kept += " and \(count(changes.keptAttestations, "attestation")) of the pipeline" }
        let added = !signed ? "added none (no signing key: pass --sign-key to add one)"
            : changes.addedSignatures == 0 ? "the signing key had signed them already" : "added \(count(changes.addedSignatures, "signature")) with the signing key"
        FileHandle.standardError.write(Data("\(kept); \(added)\n".utf8))
    }

    /// What to copy beside a build: signatures with the key, the SBOM and provenance unless --no-attest.
    /// `existing` keeps the signatures a bundle (or registry) already holds for the same manifests.
    func supplyChain() throws -> SupplyChain {
        SupplyChain(key: try key(), attest: !noAttest, toolVersion: EdgepackVersion.string)
    }
}

/// --verify-key: check cosign signatures before using what was fetched (pull, inspect).
struct VerifyKeyOptions: ParsableArguments {
    @Option(help: "Verify the pipeline's and every model's cosign signature with this public key (PEM) before using them.",
            completion: .file())
    var verifyKey: String?

    @OptionGroup var attestations: AttestationRequirement

    func validate() throws {
        if attestations.requireAttestations && verifyKey == nil {
            throw ValidationError("--require-attestations checks attestations signed by a key: pass --verify-key with its public key")
        }
    }

    func key() throws -> VerificationKey? {
        try verifyKey.map(loadPublicKey)
    }
}

/// --require-attestations: a pipeline must carry attestations signed by the key, even when its signature does
/// not promise any (an older signer's).
struct AttestationRequirement: ParsableArguments {
    @Flag(help: "Fail unless the pipeline has an SBOM or provenance attestation signed by the key (required anyway when its signature says it has them).")
    var requireAttestations = false
}

func loadPublicKey(_ path: String) throws -> VerificationKey {
    guard let data = FileManager.default.contents(atPath: path) else { throw CommandError("cannot read the public key \(path)") }
    return try VerificationKey(pem: Array(data), origin: path)
}

/// One line per verified manifest.
func printVerified(_ verified: [VerifiedSignature], source: any ReferenceSource) {
    for item in verified {
        let attestations = item.attestations.isEmpty ? "" : "; attestations: " + item.attestations.joined(separator: ", ")
        print("verified \(source.displayName(item.repository))@\(item.digest) (signed for \(item.dockerReference)\(attestations))")
    }
}

extension SigningOptions {
    /// export: the build's artifacts, then their signatures and attestations, ready for one copy. What was kept
    /// is said on stderr unless `quiet`.
    func artifactsToCopy(_ build: PipelineBuild, alsoSigning: [SignedManifest] = [], quiet: Bool = false) throws -> [Artifact] {
        let chain = try supplyChain()
        let (artifacts, changes) = try chain.plan(for: build, alsoSigning: alsoSigning)
        if !quiet { noteKept(changes, signed: chain.key != nil) }
        return build.artifacts + artifacts
    }
}

extension VerifyKeyOptions {
    /// pull: with --verify-key, the pipeline and its models are verified in the registry before anything is
    /// written. Their blobs are not read here: pull hashes every blob it writes against the manifest verified
    /// here (pinned by digest), so nothing is downloaded twice.
    func verifyBeforePull(client: RegistryClient, repository: String, reference: String) throws {
        try verifyInRegistry(client: client, repository: repository, reference: reference, checkContent: false)
    }

    /// With --verify-key, the pipeline and its models are verified in the registry (`checkContent`: every blob
    /// the signatures vouch for downloaded and hashed); what was verified goes to stderr (stdout stays the
    /// command's own output).
    func verifyInRegistry(client: RegistryClient, repository: String, reference: String, checkContent: Bool) throws {
        guard let key = try key(), let verifyKey else { return }
        let policy = PipelineVerifier.Policy(checkContent: checkContent, requireAttestations: attestations.requireAttestations)
        let verified = try PipelineVerifier(source: client, key: key, keyName: verifyKey, policy: policy).verify(repository: repository, reference: reference)
        reportVerified(verified, source: client)
    }

    /// inspect BUNDLE: with --verify-key, the bundle's pipeline and models are verified offline, every blob re-hashed.
    func verify(bundle: ImageLayoutBundle) throws {
        guard let key = try key(), let verifyKey else { return }
        let policy = PipelineVerifier.Policy(requireAttestations: attestations.requireAttestations)
        reportVerified(try PipelineVerifier.verify(bundle: bundle, key: key, keyName: verifyKey, policy: policy), source: bundle)
    }

    private func reportVerified(_ verified: [VerifiedSignature], source: any ReferenceSource) {
        for item in verified {
            FileHandle.standardError.write(Data("verified \(source.displayName(item.repository))@\(item.digest)\n".utf8))
        }
    }
}
