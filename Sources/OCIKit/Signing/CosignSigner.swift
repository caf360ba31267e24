/// Makes cosign's `sha256-HEX.sig` and `sha256-HEX.att` images for a manifest, keeping what was there: a new
/// signature is appended beside earlier ones (a site key beside the builder's), as `cosign sign` does.
public enum CosignSigner {
    /// The signature image for `subject` in `repository` (a name relative to wherever it is copied): the layers of
    /// `existing` (each once, in order), and one more signed by `key` unless they already hold this key's
    /// signature of the same payload. `claims` go in the payload's `optional` (e.g. `Cosign.attestationsClaim`).
    public static func signatureArtifact(for subject: Digest, repository: String, dockerReference: String,
                                         key: SigningKey, existing: [CosignLayer] = [], claims: [String: String] = [:]) throws -> Artifact {
        let payload = try SimpleSigningPayload(dockerReference: dockerReference, manifestDigest: subject, optional: claims).bytes()
        var layers = CosignLayer.unique(existing)
        let alreadySigned = layers.contains { layer in
            layer.payload == payload && layer.descriptor.annotations?[Cosign.signatureAnnotation]
                .map { key.publicKey.verify(base64Signature: $0, of: payload) } == true
        }
        if !alreadySigned {
            layers.append(CosignLayer(mediaType: Cosign.simpleSigningMediaType, payload: payload,
                                      annotations: [Cosign.signatureAnnotation: try key.signBase64(payload)]))
        }
        return try CosignImage.artifact(reference: "\(repository):\(Cosign.signatureTag(for: subject))", layers: layers)
    }

    /// The attestation image for `subject`: `existing` merged with `attestations` (one DSSE layer per envelope,
    /// annotated with its predicate type) by `AttestationMerge`'s rules; with no `existing`, just those envelopes.
    public static func attestationArtifact(for subject: Digest, repository: String,
                                           attestations: [(predicateType: String, envelope: DSSEEnvelope)],
                                           existing: [AttestationMerge.Source] = [], key: SigningKey? = nil) throws -> Artifact {
        var merge = AttestationMerge()
        for source in existing { try merge.add(source) }
        for attestation in attestations { try merge.add(made: attestation.envelope, predicateType: attestation.predicateType, signed: key != nil) }
        return try CosignImage.artifact(reference: "\(repository):\(Cosign.attestationTag(for: subject))", layers: try merge.layers(countersigningWith: key))
    }
}

extension CosignLayer {
    /// The layers, each once, in their first order (a layer seen in two places is one signature).
    public static func unique(_ layers: [CosignLayer]) -> [CosignLayer] {
        var seen = Set<CosignLayer>()
        return layers.filter { seen.insert($0).inserted }
    }
}
