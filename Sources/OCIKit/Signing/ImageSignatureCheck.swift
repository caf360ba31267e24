extension CosignVerifier {
    /// Verifies an image's cosign signature with the key, as `cosign verify --key` does: the signature may name
    /// any reference (a vendor signs its own registry's name, not a mirror's). Every blob under the manifest is
    /// then re-hashed. `reference` is a tag or digest in `repository`.
    public func verifyImage(_ reference: String, in repository: String) throws -> VerifiedSignature {
        guard let blob = try source.manifest(reference, in: repository) else {
            throw OCIError(.notFound, "\(source.displayName(repository))\(reference.hasPrefix("sha256:") ? "@" : ":")\(reference) not found")
        }
        let claim = try verifySignature(blob.descriptor.digest, in: repository, identity: nil)
        var seen = Set<Digest>()
        try source.checkContent(of: blob, in: repository, seen: &seen)
        return VerifiedSignature(repository: repository, digest: blob.descriptor.digest, dockerReference: claim.dockerReference, attestations: [])
    }
}
