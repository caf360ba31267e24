import Foundation
import OCIKit

/// Cosign images already stored for a build's artifacts (an offline bundle being pushed, a registry being
/// published to again): kept, and added to.
public struct ExistingCosignImages: Sendable {
    public var source: any ReferenceSource
    /// How the source names a repository relative to the registry layout: "" for a bundle, the path under the
    /// host for a registry (`acme/edge`).
    public var prefixPath: String

    public init(source: any ReferenceSource, prefixPath: String = "") {
        self.source = source
        self.prefixPath = prefixPath
    }

    func layers(tag: String, in repository: String) throws -> [CosignLayer]? {
        try source.cosignLayers(tag: tag, in: prefixPath.isEmpty ? repository : "\(prefixPath)/\(repository)")
    }
}

/// A manifest to sign: its repository (relative to the registry prefix) and digest.
public struct SignedManifest: Sendable, Hashable {
    public var repository: String
    public var digest: Digest

    public init(repository: String, digest: Digest) {
        self.repository = repository
        self.digest = digest
    }
}

/// The signatures and attestations that go beside a build's artifacts, as more artifacts to copy with them:
/// with a key, a cosign signature for every manifest (pipeline, models, chart, compose); and for the pipeline,
/// an SPDX SBOM and a SLSA provenance statement as DSSE envelopes (signed with the key, unsigned without one).
public struct SupplyChain: Sendable {
    public var key: SigningKey?
    public var attest: Bool
    public var toolVersion: String
    public var environment: [String: String]
    public var existing: ExistingCosignImages?

    public init(key: SigningKey?, attest: Bool = true, toolVersion: String,
                environment: [String: String] = ProcessInfo.processInfo.environment, existing: ExistingCosignImages? = nil) {
        self.key = key
        self.attest = attest
        self.toolVersion = toolVersion
        self.environment = environment
        self.existing = existing
    }

    /// The `sha256-HEX.sig` and `sha256-HEX.att` artifacts to copy after `build.artifacts` (same destination).
    /// Existing signatures and attestations are kept, a new key's signature added beside them (on every DSSE envelope too).
    /// `alsoSigning`: manifests copied beside the build from elsewhere (the mirrored engine, `engine` and its
    /// manifest's digest; sidekick images), signed the same way.
    public func artifacts(for build: PipelineBuild, alsoSigning others: [SignedManifest] = []) throws -> [Artifact] {
        let manifests = build.artifacts.map { SignedManifest(repository: $0.repository, digest: $0.manifestBlob.descriptor.digest) } + others
        var result = try signatures(for: manifests, prefix: build.layout.prefix)
        let pipeline = build.pipeline
        let pipelineDigest = pipeline.manifestBlob.descriptor.digest
        if let earlier = try existing?.layers(tag: Cosign.attestationTag(for: pipelineDigest), in: pipeline.repository), !earlier.isEmpty {
            result.append(try key.map { try CosignSigner.countersignedAttestations(for: pipelineDigest, repository: pipeline.repository, existing: earlier, key: $0) }
                ?? CosignImage.artifact(reference: "\(pipeline.repository):\(Cosign.attestationTag(for: pipelineDigest))", layers: earlier))
        } else if attest {
            let (sbom, provenance) = try statements(for: build)
            result.append(try CosignSigner.attestationArtifact(for: pipelineDigest, repository: pipeline.repository, attestations: [
                (SPDXDocument.predicateType, try sbom.envelope(key: key)),
                (SLSAProvenance.predicateType, try provenance.envelope(key: key)),
            ]))
        }
        return result
    }

    /// The `.sig` image of each manifest (a repository relative to `prefix`, the registry prefix signatures name):
    /// existing signatures kept, the key's added; nothing for a manifest with neither.
    public func signatures(for manifests: [SignedManifest], prefix: String) throws -> [Artifact] {
        try manifests.compactMap { manifest in
            let earlier = try existing?.layers(tag: Cosign.signatureTag(for: manifest.digest), in: manifest.repository) ?? []
            if let key {
                return try CosignSigner.signatureArtifact(for: manifest.digest, repository: manifest.repository,
                                                          dockerReference: "\(prefix)/\(manifest.repository)", key: key, existing: earlier)
            }
            return earlier.isEmpty ? nil
                : try CosignImage.artifact(reference: "\(manifest.repository):\(Cosign.signatureTag(for: manifest.digest))", layers: earlier)
        }
    }

    /// The SBOM and provenance statements about the pipeline manifest (byte-identical for the same inputs and
    /// SOURCE_DATE_EPOCH).
    public func statements(for build: PipelineBuild) throws -> (sbom: InTotoStatement<SPDXDocument>, provenance: InTotoStatement<SLSAProvenance>) {
        let subject = [InTotoStatement<SPDXDocument>.Subject(
            name: "\(build.layout.prefix)/\(build.pipeline.repository)", digest: build.pipeline.manifestBlob.descriptor.digest
        )]
        let epoch = SourceDate.isSet(environment: environment) ? SourceDate.epoch(environment: environment) : nil
        let sbom = SPDXDocument(build: build, toolVersion: toolVersion, created: SourceDate.rfc3339(epoch ?? 0))
        let provenance = SLSAProvenance(build: build, definitionDigest: Self.fileDigest(build.definition.sourcePath),
                                        source: SourceInfo.detect(definitionPath: build.definition.sourcePath, environment: environment),
                                        toolVersion: toolVersion, sourceDateEpoch: epoch)
        return (InTotoStatement(subject: subject, predicateType: SPDXDocument.predicateType, predicate: sbom),
                InTotoStatement(subject: subject.map { .init(name: $0.name, digest: build.pipeline.manifestBlob.descriptor.digest) },
                                predicateType: SLSAProvenance.predicateType, predicate: provenance))
    }

    /// The sha256 of a small regular file (a definition), nil for anything else (a bundle standing in for one).
    static func fileDigest(_ path: String) -> Digest? {
        guard let status = try? FileStatus(path: path), !status.isDirectory, status.size <= 4 << 20,
              let data = FileManager.default.contents(atPath: path) else { return nil }
        return SHA256Hasher.digest(Array(data))
    }
}
