import Foundation
import OCIKit

/// Publishes a release into the registry its layout names, start to end, as one operation: one token for every
/// repository; the signatures and attestations that go beside it (those the registry, or a bundle being pushed,
/// holds already are kept); one copy of everything (images, models, then the pipeline, chart and compose, tags
/// last); then the publish record and the channel move. `publish`, `push` and the agent's bundle intake are this.
public struct Publisher: Sendable {
    public let client: RegistryClient
    public let layout: RegistryLayout
    private let destination: RegistryDestination
    private let onEvent: (@Sendable (CopyEvent) -> Void)?

    /// `digester` (the build's) spares uploads a second hash of the model files its cache vouches for.
    public init(client: RegistryClient, layout: RegistryLayout, digester: FileDigester? = nil, onEvent: (@Sendable (CopyEvent) -> Void)? = nil) {
        self.client = client
        self.layout = layout
        self.destination = RegistryDestination(client: client, prefixPath: Self.split(layout).path, digester: digester)
        self.onEvent = onEvent
    }

    /// What a publish did.
    public struct Outcome: Sendable {
        /// The record, with what the ledger added: `replaces`, `created_by`, and `created_at`/`updated_at`
        /// from the version's first and latest records.
        public var record: PublishRecord
        public var summary: CopySummary
        /// The signatures and attestations found and kept beside the release.
        public var kept: CosignChanges
    }

    /// Publishes `build`. `signing` says what to add (a key, attestations); `bundle`, when the release was read
    /// from one, carries its own signatures and attestations in and may leave out blobs the registry must hold
    /// (a delta). `publication` names the action, the channel to move and who publishes (its version is the build's).
    public func publish(_ build: PipelineBuild, signing: SupplyChain, from bundle: ImageLayoutBundle? = nil,
                        publication: PublishLedger.Publication) throws -> Outcome {
        guard !build.layout.isPlaceholder else {
            throw OCIError(.invalidReference, "no registry to publish to: name a registry prefix (e.g. ghcr.io/acme/edge)")
        }
        destination.prepare(repositories: build.repositories)  // before the signature look-ups too
        var chain = signing
        chain.existing = ExistingCosignImages(destination: client, prefixPath: Self.split(layout).path, carried: bundle)
        let (beside, kept) = try chain.plan(for: build, alsoSigning: build.imageManifests)
        let artifacts = build.artifacts + beside
        let absent = Set(try bundle?.absentBlobs().map(\.digest) ?? [])
        // The images' referrers go as manifests by digest, then are listed here (the referrers API, or the
        // `sha256-HEX` index added to): a registry's index may hold others'.
        let summary = try ReleaseCopy(build, artifacts: artifacts, absent: absent, referrerTags: false)
            .copy(to: destination, concurrency: client.options.concurrency, onEvent: onEvent)
        for image in build.release.images {
            try image.referrers.list(in: client, repository: destination.repository(image.repository).path, imageTag: image.tag)
        }
        let digests = Dictionary(artifacts.map { ($0.reference, $0.manifestBlob.descriptor.digest) }) { first, _ in first }
        var record = PublishRecord(build: build, manifests: digests, createdAt: Date(), createdBy: publication.createdBy)
        var publication = publication
        publication.version = build.version
        let (events, replaces) = try PublishLedger(client: client, layout: layout, pipeline: build.name, destination: destination).conclude(publication)
        record.replaces = replaces
        if let first = events.first, let last = events.last {
            (record.createdAt, record.createdBy, record.updatedAt) = (first.createdAt, first.createdBy, last.createdAt)
        }
        return Outcome(record: record, summary: summary, kept: kept)
    }

    /// The registry host and the path under it for a layout's prefix.
    public static func split(_ layout: RegistryLayout) -> (host: String, path: String) {
        let parts = layout.prefix.split(separator: "/", maxSplits: 1)
        return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
    }
}

extension PipelineBuild {
    /// Every repository a publish writes to, each once, in push order.
    /// Names edgepack built; the copy plan checks each before anything is written.
    var repositories: [Repository] {
        var seen = Set<String>()
        return (release.images.map(\.repository) + artifacts.map(\.repository)).filter { seen.insert($0).inserted }.map(Repository.init(unchecked:))
    }

    /// Every byte a publish may send (each blob once, and the images'), for progress totals.
    public var transferBytes: Int64 { transferBytes(of: artifacts) }

    /// The bytes of `artifacts` (each blob once) and of the images the release carries, with their referrers.
    func transferBytes(of artifacts: [Artifact]) -> Int64 {
        ReleaseCopy.artifactBytes(artifacts) + release.images.reduce(0) { $0 + $1.size + $1.referrers.size }
    }
}
