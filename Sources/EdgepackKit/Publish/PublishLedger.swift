import Foundation
import OCIKit

/// The publish records of a pipeline in a registry (referrers of its pipeline manifests), and the last step of
/// every publish, promote and site push: check the version, move the channel if one is named, then record it.
public struct PublishLedger: Sendable {
    public let client: RegistryClient
    public let layout: RegistryLayout
    public let pipeline: String
    /// Where records and notes go: the publish's own destination, when there is one.
    private let destination: RegistryDestination

    public init(client: RegistryClient, layout: RegistryLayout, pipeline: String, destination: RegistryDestination? = nil) {
        self.client = client
        self.layout = layout
        self.pipeline = pipeline
        self.destination = destination ?? RegistryDestination(client: client, prefixPath: Publisher.split(layout).path)
    }

    var repository: Repository { PipelineRepositories(layout: layout, pipeline: pipeline).pipelines }

    /// What is known about the publish being concluded.
    public struct Publication: Sendable {
        public var action: String
        public var version: String
        public var channel: String?
        public var createdBy: String
        public var sourceCommit: String?
        public var toolVersion: String

        /// For a publish or push, whose version is its build's (`Publisher` sets it).
        public init(action: String, channel: String?, createdBy: String, sourceCommit: String?, toolVersion: String) {
            self.init(action: action, version: "", channel: channel, createdBy: createdBy, sourceCommit: sourceCommit, toolVersion: toolVersion)
        }

        public init(action: String, version: String, channel: String?, createdBy: String, sourceCommit: String?, toolVersion: String) {
            self.action = action
            self.version = version
            self.channel = channel
            self.createdBy = createdBy
            self.sourceCommit = sourceCommit
            self.toolVersion = toolVersion
        }
    }

    /// Checks the version whole (ChannelTarget), moves the channel if one is named, then records the publication:
    /// a new record is added unless an earlier one already says the same (same channel, and the channel needed no
    /// move), so an unchanged re-publish adds nothing. Nothing moves and nothing is recorded when the version fails
    /// a check. Returns every record of the version, oldest first, and what the channel named before the move.
    @discardableResult
    public func conclude(_ publication: Publication, now: @autoclosure () -> Date = Date()) throws -> (events: [PublishEvent], replaces: [PublishRecord.Replaced]) {
        let channel = try publication.channel.map { try Channel(client: client, layout: layout, pipeline: pipeline, name: $0) }
        let target = try ChannelTarget.resolve(publication.version, of: pipeline, layout: layout, client: client)
        let subject = target.pipeline.descriptor
        var events = try summaries(of: subject.digest)
        let outcome = try channel?.move(to: target, ledger: self) { intent in
            try attach(try intent.artifact(subject: subject, repository: "pipelines/\(pipeline)"))
        } ?? ChannelMoveOutcome(moved: false, replaces: [])
        if outcome.moved || !events.contains(where: { $0.channel == publication.channel }) {
            let event = PublishEvent(action: publication.action, pipelineName: pipeline, pipelineVersion: publication.version,
                                     pipelineDigest: subject.digest.string, registry: layout.prefix, channel: publication.channel,
                                     replaces: outcome.replaces, createdAt: now(), createdBy: publication.createdBy,
                                     sourceCommit: publication.sourceCommit, edgepackVersion: publication.toolVersion)
            do {
                try attach(try event.artifact(subject: subject, repository: "pipelines/\(pipeline)"))
            } catch let error as OCIError where outcome.moved {
                throw OCIError(error.code, "the channel \(publication.channel ?? "") of \(pipeline) now names \(publication.version), but its record was not written: \(error.message)",
                               cause: error.cause, obstacle: error.obstacle, refusal: error.refusal)
            }
            events.append(event)
        }
        return (events, outcome.replaces)
    }

    /// Stores an artifact (a record or a move's note) as a referrer of the pipeline manifest: its blobs through the
    /// copier, then the manifest with its subject (the referrers API, or the referrers tag schema).
    func attach(_ artifact: Artifact) throws {
        let relative = "pipelines/\(pipeline)"
        let item = CopyItem(descriptor: artifact.manifestBlob.descriptor, sourceRepository: Repository(unchecked: relative), repository: relative, tag: nil)
        try Copier(from: ArtifactSource([artifact]), to: destination).copy([item])
        try client.attachReferrer(artifact.manifestBlob, manifest: artifact.manifest, in: repository.path)
    }

    /// The publish records of the pipeline manifest `digest` as the referrers list shows them (time, author, channel
    /// and action from their annotations; no `replaces`), oldest first: no record is fetched.
    func summaries(of digest: OCIKit.Digest) throws -> [PublishEvent] {
        let referrers = try client.referrers(of: digest, in: repository.path, artifactType: PublishEvent.artifactType)
        return referrers.compactMap { descriptor -> PublishEvent? in
            guard let notes = descriptor.annotations, let created = notes[AnnotationKey.created], let author = notes["edgepack.dev/created-by"] else { return nil }
            var event = PublishEvent(action: notes["edgepack.dev/action"] ?? "publish", pipelineName: pipeline, pipelineVersion: "", pipelineDigest: digest.string,
                                     registry: layout.prefix, channel: notes["edgepack.dev/channel"], replaces: [], createdAt: Date(),
                                     createdBy: author, sourceCommit: nil, edgepackVersion: "")
            event.createdAt = created
            return event
        }.sorted { $0.createdAt < $1.createdAt }
    }

    /// Every publish record of the pipeline manifest `digest`, oldest first.
    public func records(of digest: OCIKit.Digest) throws -> [PublishEvent] {
        let referrers = try client.referrers(of: digest, in: repository.path, artifactType: PublishEvent.artifactType)
        let events = try Parallel.map(referrers, concurrency: client.options.concurrency) { descriptor -> PublishEvent? in
            let (manifest, _) = try client.fetchManifest(.digest(descriptor.digest), in: repository)
            guard let layer = manifest.layers.first, layer.mediaType == PublishEvent.artifactType, layer.size <= 1 << 20 else { return nil }
            let sink = MemorySink()
            try client.fetchBlob(layer, from: repository, into: sink)
            return try? CanonicalJSON.decode(PublishEvent.self, from: sink.bytes, what: "publish record \(descriptor.digest)")
        }
        return events.compactMap { $0 }.sorted { $0.createdAt < $1.createdAt }
    }
}
