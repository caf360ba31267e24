import Foundation
import OCIKit

/// One publish (or promote, or push into a site) of a pipeline version, stored in the registry beside it as a
/// small artifact whose OCI 1.1 `subject` is the pipeline manifest. The pipeline artifact itself never changes,
/// so its digest stays the same however often it is published; who published it, when, to which channel and
/// what that replaced live here.
public struct PublishEvent: Codable, Sendable, Equatable {
    public static let artifactType = "application/vnd.edgepack.publish.record.v1+json"

    public var action: String
    public var pipelineName: String
    public var pipelineVersion: String
    public var pipelineDigest: String
    public var registry: String
    public var channel: String?
    public var replaces: [PublishRecord.Replaced]
    public var createdAt: String
    public var createdBy: String
    public var sourceCommit: String?
    public var edgepackVersion: String

    enum CodingKeys: String, CodingKey {
        case action, registry, channel, replaces
        case pipelineName = "pipeline_name", pipelineVersion = "pipeline_version", pipelineDigest = "pipeline_digest"
        case createdAt = "created_at", createdBy = "created_by", sourceCommit = "source_commit", edgepackVersion = "edgepack_version"
    }

    public init(action: String, pipelineName: String, pipelineVersion: String, pipelineDigest: String, registry: String, channel: String?,
                replaces: [PublishRecord.Replaced], createdAt: Date, createdBy: String, sourceCommit: String?, edgepackVersion: String) {
        self.action = action
        self.pipelineName = pipelineName
        self.pipelineVersion = pipelineVersion
        self.pipelineDigest = pipelineDigest
        self.registry = registry
        self.channel = channel
        self.replaces = replaces
        self.createdAt = Self.timestamp(createdAt)
        self.createdBy = createdBy
        self.sourceCommit = sourceCommit
        self.edgepackVersion = edgepackVersion
    }

    /// RFC 3339 with milliseconds (records made in the same second still sort in order).
    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    /// The record as an artifact referring to `subject` (the pipeline manifest): OCI's empty config, the record as
    /// its one layer, the fields listings need as annotations (so the referrers index alone can show them).
    public func artifact(subject: Descriptor, repository: String) throws -> Artifact {
        let layer = Blob(mediaType: Self.artifactType, bytes: try CanonicalJSON.encode(self))
        let config = Blob(mediaType: MediaType.empty, bytes: Array("{}".utf8))
        var annotations = [AnnotationKey.created: createdAt, "edgepack.dev/created-by": createdBy, "edgepack.dev/action": action]
        if let channel { annotations["edgepack.dev/channel"] = channel }
        var subject = subject
        subject.annotations = nil
        let manifest = Manifest(artifactType: Self.artifactType, config: config.descriptor, layers: [layer.descriptor],
                                subject: subject, annotations: annotations)
        return try Artifact(reference: "\(repository):record", manifest: manifest, config: config, layers: [layer])
    }
}
