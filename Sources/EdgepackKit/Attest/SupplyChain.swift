import Foundation
import OCIKit

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
    /// Existing signatures and attestations are kept, a new key's signature added beside them.
    /// `alsoSigning`: manifests copied beside the build from elsewhere (the mirrored engine, `engine` and its
    /// manifest's digest; sidekick images), signed the same way.
    public func artifacts(for build: PipelineBuild, alsoSigning others: [SignedManifest] = []) throws -> [Artifact] {
        try plan(for: build, alsoSigning: others).artifacts
    }

    /// `artifacts(for:alsoSigning:)`, and what was kept and added. A `.sig` or `.att` the destination holds is
    /// written again only with something added: without a key, it stays exactly as it is. With a key, the
    /// pipeline's signature names the attestations the key signed (`Cosign.attestationsClaim`), so that
    /// stripping them is noticed.
    /// The vendor's signatures, attestations and SBOMs of the mirrored images go with them, merged likewise.
    public func plan(for build: PipelineBuild, alsoSigning others: [SignedManifest] = []) throws -> (artifacts: [Artifact], changes: CosignChanges) {
        var chain = self
        chain.existing = ExistingCosignImages.adding(build.release.images, to: existing)
        let (artifacts, changes) = try chain.ownPlan(for: build, alsoSigning: others)
        return (artifacts + (try chain.upstreamAttachments(of: build.release.images, besides: others)), changes)
    }

    func ownPlan(for build: PipelineBuild, alsoSigning others: [SignedManifest]) throws -> (artifacts: [Artifact], changes: CosignChanges) {
        var changes = CosignChanges()
        var claims: [Digest: [String: String]] = [:]
        var attestations: [Artifact] = []
        if let (layers, found) = try attestationLayers(for: build, changes: &changes) {
            let pipelineDigest = build.pipeline.manifestBlob.descriptor.digest
            if let key {
                let types = AttestationMerge.predicateTypes(in: layers, signedBy: key.publicKey)
                if !types.isEmpty { claims[pipelineDigest] = [Cosign.attestationsClaim: types.joined(separator: " ")] }
            }
            let artifact = try CosignImage.artifact(reference: "\(build.pipeline.repository):\(Cosign.attestationTag(for: pipelineDigest))", layers: layers)
            attestations = Self.unlessHeld(artifact, found).map { [$0] } ?? []
        }
        let manifests = build.artifacts.map { SignedManifest(repository: $0.repository, digest: $0.manifestBlob.descriptor.digest) } + others
        return (try signatures(for: manifests, prefix: build.layout.prefix, claims: claims, changes: &changes) + attestations, changes)
    }

    /// The `.sig` image of each manifest (a repository relative to `prefix`, the registry prefix signatures name):
    /// existing signatures kept, the key's added (with `claims` for that digest); nothing for a manifest with
    /// neither, or whose `.sig` in the destination would not change.
    public func signatures(for manifests: [SignedManifest], prefix: String, claims: [Digest: [String: String]] = [:]) throws -> [Artifact] {
        var changes = CosignChanges()
        return try signatures(for: manifests, prefix: prefix, claims: claims, changes: &changes)
    }

    func signatures(for manifests: [SignedManifest], prefix: String, claims: [Digest: [String: String]], changes: inout CosignChanges) throws -> [Artifact] {
        // Without a key only carried signatures can be added: with none (a publish), the destination's stay as
        // they are, unread (no look-up per manifest).
        guard key != nil || existing?.places.contains(where: { !$0.isDestination }) == true else { return [] }
        return try manifests.compactMap { manifest in
            let tag = Cosign.signatureTag(for: manifest.digest)
            let found = try existing?.layers(tag: tag, in: manifest.repository) ?? []
            let earlier = CosignLayer.unique(found.flatMap(\.layers))
            if !earlier.isEmpty {
                changes.keptSignatures += earlier.count
                changes.signedManifests += 1
            }
            let artifact: Artifact
            if let key {
                artifact = try CosignSigner.signatureArtifact(for: manifest.digest, repository: manifest.repository, dockerReference: "\(prefix)/\(manifest.repository)",
                                                              key: key, existing: earlier, claims: claims[manifest.digest] ?? [:])
                changes.addedSignatures += artifact.layers.count - earlier.count
            } else if !earlier.isEmpty {
                artifact = try CosignImage.artifact(reference: "\(manifest.repository):\(tag)", layers: earlier)
            } else {
                return nil
            }
            return Self.unlessHeld(artifact, found)
        }
    }

    /// The pipeline's attestation layers: those found (merged, never dropping a signature), and this run's SBOM
    /// and provenance unless a bundle carries attestations in (a release read from a bundle has no sources to
    /// state); nil when there are none.
    func attestationLayers(for build: PipelineBuild, changes: inout CosignChanges) throws -> ([CosignLayer], [ExistingCosignImages.Found])? {
        let carriedIn = existing?.places.contains(where: { !$0.isDestination }) == true
        guard attest || carriedIn else { return nil }  // nothing to add: the destination's stay as they are, unread
        let tag = Cosign.attestationTag(for: build.pipeline.manifestBlob.descriptor.digest)
        if let held = try heldUnchanged(build, tag: tag) {
            changes.keptAttestations = held.layers.count
            return (held.layers, [held])
        }
        let found = try existing?.layers(tag: tag, in: build.pipeline.repository) ?? []
        var merge = AttestationMerge()
        for place in found { try merge.add(.init(layers: place.layers, mayCountersign: !place.place.isDestination)) }
        let kept = try merge.layers(countersigningWith: nil)
        changes.keptAttestations = kept.count
        changes.signedAttestations = kept.filter { layer in
            (try? CanonicalJSON.decode(DSSEEnvelope.self, from: layer.payload, what: "an attestation"))?.signatures.isEmpty == false
        }.count
        if attest && !found.contains(where: { !$0.place.isDestination }) { try addStatements(for: build, to: &merge) }
        let layers = try merge.layers(countersigningWith: key)
        return layers.isEmpty ? nil : (layers, found)
    }

    /// Publishing again without a key, nothing carried in: when the destination's `.att` is exactly what this run
    /// would write on its own (unsigned statements are byte-identical for the same inputs), it is found by one
    /// digest look-up instead of reading every layer back. Nil when that does not settle it.
    func heldUnchanged(_ build: PipelineBuild, tag: String) throws -> ExistingCosignImages.Found? {
        guard key == nil, attest, let existing, let destination = existing.places.first(where: \.isDestination) else { return nil }
        var made = AttestationMerge()
        try addStatements(for: build, to: &made)
        let layers = try made.layers(countersigningWith: nil)
        let artifact = try CosignImage.artifact(reference: "\(build.pipeline.repository):\(tag)", layers: layers)
        guard try existing.destinationHoldsOnly(artifact, tag: tag, in: build.pipeline.repository) else { return nil }
        return ExistingCosignImages.Found(place: destination, layers: layers)
    }

    func addStatements(for build: PipelineBuild, to merge: inout AttestationMerge) throws {
        let (sbom, provenance) = try statements(for: build)
        try merge.add(made: try sbom.envelope(key: key), predicateType: SPDXDocument.predicateType, signed: key != nil)
        if let provenance { try merge.add(made: try provenance.envelope(key: key), predicateType: SLSAProvenance.predicateType, signed: key != nil) }
    }

    /// `artifact`, or nil when the destination already holds exactly its layers (nothing to write).
    static func unlessHeld(_ artifact: Artifact, _ found: [ExistingCosignImages.Found]) -> Artifact? {
        guard let held = found.first(where: \.place.isDestination), held.layers.map(\.descriptor) == artifact.manifest.layers else { return artifact }
        return nil
    }

    /// The SBOM and provenance statements about the pipeline manifest (byte-identical for the same inputs and
    /// SOURCE_DATE_EPOCH). A release read from a bundle has no provenance to state: only its builder saw its sources.
    public func statements(for build: PipelineBuild) throws -> (sbom: InTotoStatement<SPDXDocument>, provenance: InTotoStatement<SLSAProvenance>?) {
        let subject = [InTotoStatement<SPDXDocument>.Subject(
            name: build.layout.name(of: build.pipeline.repository), digest: build.pipeline.manifestBlob.descriptor.digest
        )]
        let epoch = SourceDate.isSet(environment: environment) ? SourceDate.epoch(environment: environment) : nil
        let sbom = SPDXDocument(build: build, toolVersion: toolVersion, created: SourceDate.rfc3339(epoch ?? 0))
        let provenance = build.release.definition.map { definition in
            SLSAProvenance(build: build, definitionDigest: Self.fileDigest(definition.sourcePath),
                           source: SourceInfo.detect(definitionPath: definition.sourcePath, environment: environment),
                           toolVersion: toolVersion, sourceDateEpoch: epoch)
        }
        return (InTotoStatement(subject: subject, predicateType: SPDXDocument.predicateType, predicate: sbom),
                provenance.map { InTotoStatement(subject: subject.map { .init(name: $0.name, digest: build.pipeline.manifestBlob.descriptor.digest) },
                                                 predicateType: SLSAProvenance.predicateType, predicate: $0) })
    }

    /// The sha256 of a small regular file (a definition), nil for anything else (a bundle standing in for one).
    static func fileDigest(_ path: String) -> Digest? {
        guard let status = try? FileStatus(path: path), !status.isDirectory, status.size <= 4 << 20,
              let data = FileManager.default.contents(atPath: path) else { return nil }
        return SHA256Hasher.digest(Array(data))
    }
}
