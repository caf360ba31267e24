import Foundation

/// What a verification found for one manifest.
public struct VerifiedSignature: Sendable, Equatable {
    public var repository: String
    public var digest: Digest
    /// The `docker-reference` the verified payload names.
    public var dockerReference: String
    /// Predicate types of the attestations verified with the key (empty when there are none).
    public var attestations: [String]
}

/// Checks cosign signatures and attestations of a manifest against a public key, as `cosign verify` and
/// `cosign verify-attestation` do with `--key`: the `sha256-HEX.sig` image must hold a simple-signing layer
/// whose payload hashes to its descriptor, names this digest, and carries a signature the key verifies; the DSSE
/// layers of `sha256-HEX.att` the key signed must have this digest as their subject, and every attestation the
/// verified signature promises must be among them. Every failure is one line naming the manifest.
public struct CosignVerifier: Sendable {
    public let source: any ReferenceSource
    public let key: VerificationKey
    /// How the key is named in messages (its file).
    public let keyName: String

    public init(source: any ReferenceSource, key: VerificationKey, keyName: String) {
        self.source = source
        self.key = key
        self.keyName = keyName
    }

    /// Verifies the signature (required) and the attestations of `digest` in `repository`.
    /// `identity` is the repository the signature must be for, relative to any registry prefix (a signature
    /// made before an air-gap copy names the original registry): the payload's reference must end with it.
    /// Attestations are required when the verified signature promises them (edgepack's `Cosign.attestationsClaim`:
    /// an attacker who strips the `.att` cannot strip the promise), or when `requireAttestations` says so.
    public func verify(_ digest: Digest, in repository: String, identity: String, requireAttestations: Bool = false) throws -> VerifiedSignature {
        let claim = try verifySignature(digest, in: repository, identity: identity)
        let attestations = try verifyAttestations(digest, in: repository, promised: claim.attestedPredicateTypes, required: requireAttestations)
        return VerifiedSignature(repository: repository, digest: digest, dockerReference: claim.dockerReference, attestations: attestations)
    }

    /// `identity` nil: a signature for any reference (an image signed by its vendor names the vendor's registry).
    func verifySignature(_ digest: Digest, in repository: String, identity: String?) throws -> SimpleSigningPayload {
        let name = "\(source.displayName(repository))@\(digest)"
        let tag = Cosign.signatureTag(for: digest)
        guard let layers = try source.cosignImageLayers(tag: tag, in: repository)?.filter({ $0.mediaType == Cosign.simpleSigningMediaType }) else {
            throw OCIError(.notFound, "no signature for \(name) (no \(tag) beside it)")
        }
        guard !layers.isEmpty else { throw OCIError(.notFound, "no signature for \(name) (\(tag) holds no simple-signing layer)") }
        var problems: [String] = []
        for layer in layers {
            let payload: [UInt8]
            do {
                payload = try source.smallBlob(layer, in: repository)
            } catch let error as OCIError where error.code == .digestMismatch {
                problems.append("a signature payload in \(tag) was tampered with (it does not hash to \(layer.digest))")
                continue
            }
            guard let signature = layer.annotations?[Cosign.signatureAnnotation], key.verify(base64Signature: signature, of: payload) else {
                problems.append("no signature in \(tag) verifies with \(keyName) (signed by another key, or its payload was altered)")
                continue
            }
            guard let claim = try? CanonicalJSON.decode(SimpleSigningPayload.self, from: payload, what: "a signature payload"),
                  claim.type == SimpleSigningPayload.type else {
                problems.append("the payload signed in \(tag) is not a cosign simple-signing payload")
                continue
            }
            guard claim.manifestDigest == digest.string else {
                problems.append("the signature in \(tag) is for \(claim.manifestDigest), not \(digest)")
                continue
            }
            if let identity, !Self.names(claim.dockerReference, identity) {
                problems.append("the signature in \(tag) is for \(claim.dockerReference), not \(identity)")
                continue
            }
            return claim
        }
        // The most telling problem: tampering and wrong subjects before "another key".
        let worst = problems.first { !$0.hasPrefix("no signature") } ?? problems[0]
        throw OCIError(.denied, "\(name): \(worst)")
    }

    /// The predicate types of the attestations the key signed. Envelopes signed only by other keys are theirs to
    /// vouch for and are passed over, but a tampered layer fails, and so does an `.att` with none of the key's.
    /// Every type in `promised` must be among them; with `required`, at least one must be.
    func verifyAttestations(_ digest: Digest, in repository: String, promised: [String] = [], required: Bool = false) throws -> [String] {
        let name = "\(source.displayName(repository))@\(digest)"
        let tag = Cosign.attestationTag(for: digest)
        let image = try source.cosignImageLayers(tag: tag, in: repository)
        let layers = image?.filter { $0.mediaType == Cosign.dsseMediaType } ?? []
        struct StatementHead: Decodable {
            struct Subject: Decodable { var digest: [String: String] }
            var subject: [Subject]
            var predicateType: String
        }
        var verified: [String] = [], passedOver: [String] = []
        for layer in layers {
            let kind = layer.annotations?[Cosign.predicateTypeAnnotation] ?? "attestation"
            let bytes: [UInt8]
            do {
                bytes = try source.smallBlob(layer, in: repository)
            } catch let error as OCIError where error.code == .digestMismatch {
                throw OCIError(.denied, "\(name): the \(kind) attestation in \(tag) was tampered with (it does not hash to \(layer.digest))")
            }
            let envelope = try CanonicalJSON.decode(DSSEEnvelope.self, from: bytes, what: "the \(kind) attestation of \(name)")
            guard envelope.isSigned(by: key) else {
                passedOver.append(envelope.signatures.isEmpty ? "the \(kind) attestation in \(tag) is unsigned"
                                  : "the \(kind) attestation in \(tag) does not verify with \(keyName) (signed by another key, or altered)")
                continue
            }
            guard envelope.payloadType == DSSEEnvelope.inTotoPayloadType, let payload = envelope.payloadBytes,
                  let statement = try? CanonicalJSON.decode(StatementHead.self, from: payload, what: "an in-toto statement") else {
                throw OCIError(.denied, "\(name): the \(kind) attestation in \(tag) is not an in-toto statement")
            }
            guard statement.subject.contains(where: { $0.digest[digest.algorithm] == digest.encoded }) else {
                let others = statement.subject.compactMap { $0.digest["sha256"].map { "sha256:\($0)" } }.joined(separator: ", ")
                throw OCIError(.denied, "\(name): the \(kind) attestation's subject digest differs (\(others.isEmpty ? "none" : others))")
            }
            if !verified.contains(statement.predicateType) { verified.append(statement.predicateType) }
        }
        if verified.isEmpty, let first = passedOver.first { throw OCIError(.denied, "\(name): \(first)") }
        let absent = image == nil ? "there is no \(tag) beside it" : "\(tag) holds none signed by \(keyName)"
        let missing = promised.filter { !verified.contains($0) }
        if !missing.isEmpty {
            throw OCIError(.notFound, "\(name): its signature promises the \(missing.joined(separator: " and ")) attestation\(missing.count == 1 ? "" : "s"), but \(absent) (removed after signing?)")
        }
        if required && verified.isEmpty {
            throw OCIError(.notFound, "\(name): no attestations: \(absent)")
        }
        return verified
    }

    /// Whether a signed `docker-reference` (`host/prefix/models/ccfraud`, maybe with a tag) is for `identity`.
    static func names(_ dockerReference: String, _ identity: String) -> Bool {
        let repository = (try? ImageReference(parsing: dockerReference))?.nameAsWritten ?? dockerReference
        return repository == identity || repository.hasSuffix("/" + identity)
    }
}
