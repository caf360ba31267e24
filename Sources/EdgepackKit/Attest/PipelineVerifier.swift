import OCIKit

/// Verifies a published pipeline against a public key, in a registry or an offline bundle: the pipeline
/// manifest's cosign signature and attestations, the engine image's mirror when there is one
/// (`PREFIX/engine:TAG`), then every model its config lists (`PREFIX/models/NAME:VERSION`): the model manifest
/// must carry the layer the pipeline carries, and its own signature. Every blob those manifests reference is
/// then re-hashed (a signature vouches for digests; the bytes must match them), unless the caller hashes every
/// blob it reads itself (`pull`).
public struct PipelineVerifier: Sendable {
    public struct Policy: Sendable {
        /// Re-hash every blob the verified manifests reference.
        public var checkContent = true
        /// Fail when the pipeline has no attestation signed by the key, even if its signature promises none.
        public var requireAttestations = false

        public init(checkContent: Bool = true, requireAttestations: Bool = false) {
            self.checkContent = checkContent
            self.requireAttestations = requireAttestations
        }
    }

    public let verifier: CosignVerifier
    public let policy: Policy

    public init(source: any ReferenceSource, key: VerificationKey, keyName: String, policy: Policy = Policy()) {
        verifier = CosignVerifier(source: source, key: key, keyName: keyName)
        self.policy = policy
    }

    /// Verifies the one pipeline an offline bundle holds (`inspect BUNDLE` with a key).
    public static func verify(bundle: ImageLayoutBundle, key: VerificationKey, keyName: String, policy: Policy = Policy()) throws -> [VerifiedSignature] {
        let pipelines = bundle.index.manifests.compactMap { entry -> String? in
            guard entry.artifactType == EdgepackMediaType.pipelineArtifact || entry.artifactType == nil,
                  let name = entry.annotations?[AnnotationKey.refName], name.hasPrefix("pipelines/"), !Cosign.isCosignTag(String(name.split(separator: ":").last ?? "")) else { return nil }
            return name
        }
        guard pipelines.count == 1, let reference = pipelines.first, let colon = reference.lastIndex(of: ":") else {
            throw OCIError(.invalidLayout, "\(bundle.path) holds \(pipelines.count) pipelines; an edgepack bundle holds exactly one")
        }
        return try PipelineVerifier(source: bundle, key: key, keyName: keyName, policy: policy)
            .verify(repository: String(reference[..<colon]), reference: String(reference[reference.index(after: colon)...]))
    }

    /// `repository` is the pipeline's (`acme/edge/pipelines/ccfraud` in a registry, `pipelines/ccfraud` in a
    /// bundle), `reference` a tag or digest. Returns what was verified, the pipeline first.
    public func verify(repository: String, reference: String) throws -> [VerifiedSignature] {
        let source = verifier.source
        guard let prefix = Self.prefix(ofPipelineRepository: repository) else {
            throw OCIError(.invalidReference, "\(source.displayName(repository)) is not an edgepack pipeline repository (PREFIX/pipelines/NAME)")
        }
        let identity = String(repository.dropFirst(prefix.count))
        guard let blob = try source.manifest(reference, in: repository), case .bytes(let bytes) = blob.content else {
            throw OCIError(.notFound, "\(source.displayName(repository)):\(reference) not found")
        }
        let manifest = try CanonicalJSON.decode(Manifest.self, from: bytes, what: "\(source.displayName(repository)):\(reference)")
        guard manifest.artifactType == EdgepackMediaType.pipelineArtifact || manifest.config.mediaType == EdgepackMediaType.pipelineConfig else {
            throw OCIError(.unsupported, "\(source.displayName(repository)):\(reference) is not an edgepack pipeline")
        }
        var verified = [try verifier.verify(blob.descriptor.digest, in: repository, identity: identity, requireAttestations: policy.requireAttestations)]
        var vouched = [(blob, repository)]
        if let engine = try mirroredEngine(named: manifest.annotations?[EdgepackAnnotation.engineImage], prefix: prefix) {
            verified.append(try verifier.verify(engine.descriptor.digest, in: "\(prefix)engine", identity: "engine"))
            vouched.append((engine, "\(prefix)engine"))
        }
        let config = try CanonicalJSON.decode(PipelineConfig.self, from: try source.smallBlob(manifest.config, in: repository), what: "the pipeline config")
        for model in config.models {
            let modelRepository = "\(prefix)models/\(model.name)"
            let name = "\(source.displayName(modelRepository)):\(model.version)"
            guard let modelBlob = try source.manifest(model.version, in: modelRepository), case .bytes(let modelBytes) = modelBlob.content else {
                throw OCIError(.notFound, "model \(name), which the pipeline lists, is not there")
            }
            let modelManifest = try CanonicalJSON.decode(Manifest.self, from: modelBytes, what: name)
            guard modelManifest.layers.contains(where: { $0.digest.encoded == model.sha }),
                  manifest.layers.contains(where: { $0.digest.encoded == model.sha }) else {
                throw OCIError(.digestMismatch, "model \(name) does not carry the layer sha256:\(model.sha) the pipeline lists")
            }
            verified.append(try verifier.verify(modelBlob.descriptor.digest, in: modelRepository, identity: "models/\(model.name)"))
            vouched.append((modelBlob, modelRepository))
        }
        if policy.checkContent {
            var seen = Set<Digest>()
            for (manifest, repository) in vouched { try source.checkContent(of: manifest, in: repository, seen: &seen) }
        }
        return verified
    }

    /// The prefix of a pipeline repository (`acme/edge/` of `acme/edge/pipelines/NAME`, empty for a bundle's
    /// `pipelines/NAME`); nil when `repository` is no pipeline's.
    public static func prefix(ofPipelineRepository repository: String) -> String? {
        guard let range = repository.range(of: "pipelines/", options: .backwards),
              range.lowerBound == repository.startIndex || repository[repository.index(before: range.lowerBound)] == "/" else { return nil }
        return String(repository[..<range.lowerBound])
    }

    /// The manifest of the engine image's mirror (`PREFIX/engine:TAG`, or `engine:TAG` in a bundle), when the
    /// pipeline's engine was mirrored there; nil when it is referenced where it lives (its signature, if any, is
    /// its publisher's to check there).
    func mirroredEngine(named image: String?, prefix: String) throws -> Blob? {
        guard let image, let parsed = try? ImageReference(parsing: image) else { return nil }
        let reference = parsed.digest?.string ?? parsed.tag ?? "latest"
        do {
            return try verifier.source.manifest(reference, in: "\(prefix)engine")
        } catch let error as OCIError where [.notFound, .unauthorized, .denied].contains(error.code) {
            return nil
        }
    }
}
