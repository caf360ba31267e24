/// Makes cosign's `sha256-HEX.sig` and `sha256-HEX.att` images for a manifest, keeping what was there: a new
/// signature is appended beside earlier ones (a site key beside the builder's), as `cosign sign` does.
public enum CosignSigner {
    /// The signature image for `subject` in `repository` (a name relative to wherever it is copied), with one
    /// more layer signed by `key` unless `existing` already holds this key's signature of the same payload.
    public static func signatureArtifact(for subject: Digest, repository: String, dockerReference: String,
                                         key: SigningKey, existing: [CosignLayer] = []) throws -> Artifact {
        let payload = try SimpleSigningPayload(dockerReference: dockerReference, manifestDigest: subject).bytes()
        var layers = existing
        let alreadySigned = existing.contains { layer in
            layer.payload == payload && layer.descriptor.annotations?[Cosign.signatureAnnotation]
                .map { key.publicKey.verify(base64Signature: $0, of: payload) } == true
        }
        if !alreadySigned {
            layers.append(CosignLayer(mediaType: Cosign.simpleSigningMediaType, payload: payload,
                                      annotations: [Cosign.signatureAnnotation: try key.signBase64(payload)]))
        }
        return try CosignImage.artifact(reference: "\(repository):\(Cosign.signatureTag(for: subject))", layers: layers)
    }

    /// The attestation image for `subject`: one DSSE layer per envelope, annotated with its predicate type.
    /// Earlier layers of other predicate types are kept; those of the same type are replaced.
    public static func attestationArtifact(for subject: Digest, repository: String,
                                           attestations: [(predicateType: String, envelope: DSSEEnvelope)],
                                           existing: [CosignLayer] = []) throws -> Artifact {
        let replaced = Set(attestations.map(\.predicateType))
        var layers = existing.filter { !replaced.contains($0.descriptor.annotations?[Cosign.predicateTypeAnnotation] ?? "") }
        for attestation in attestations {
            layers.append(CosignLayer(mediaType: Cosign.dsseMediaType, payload: try attestation.envelope.bytes(),
                                      annotations: [Cosign.signatureAnnotation: "", Cosign.predicateTypeAnnotation: attestation.predicateType]))
        }
        return try CosignImage.artifact(reference: "\(repository):\(Cosign.attestationTag(for: subject))", layers: layers)
    }

    /// The attestation image `existing` with `key`'s signature added to every DSSE envelope (a site vouching
    /// for what it received: the envelopes verify with either key).
    public static func countersignedAttestations(for subject: Digest, repository: String, existing: [CosignLayer], key: SigningKey) throws -> Artifact {
        let layers = try existing.map { layer -> CosignLayer in
            guard layer.descriptor.mediaType == Cosign.dsseMediaType else { return layer }
            let envelope = try CanonicalJSON.decode(DSSEEnvelope.self, from: layer.payload, what: "an attestation of \(repository)@\(subject)")
            let signed = try envelope.countersigned(by: key)
            return signed == envelope ? layer
                : CosignLayer(mediaType: Cosign.dsseMediaType, payload: try signed.bytes(), annotations: layer.descriptor.annotations ?? [:])
        }
        return try CosignImage.artifact(reference: "\(repository):\(Cosign.attestationTag(for: subject))", layers: layers)
    }
}
