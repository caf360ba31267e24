import Foundation
import OCIKit

/// One published version of a pipeline (Wallaroo's `pipeline.publishes()`).
public struct PublishedVersion: Sendable, Codable {
    public var version: String
    public var created: String?
    public var digest: String
    public var pipelineURL: String

    enum CodingKeys: String, CodingKey {
        case version, created, digest
        case pipelineURL = "pipeline_url"
    }
}

public enum PublishHistory {
    /// Every version published under `layout` for pipeline `name`, newest first (by creation time where
    /// manifests carry one, i.e. when published with SOURCE_DATE_EPOCH set, then by tag).
    public static func list(_ name: String, layout: RegistryLayout, client: RegistryClient) throws -> [PublishedVersion] {
        let repository = Repository(Publisher.split(layout).path).appending("pipelines/\(name)")
        // Signatures, attestations and referrers live beside the versions as `sha256-HEX[.sig|.att]` tags.
        let tags = try client.tags(of: repository).filter { !$0.hasPrefix("sha256-") }
        let versions = try Parallel.map(tags, concurrency: client.options.concurrency) { tag in
            let (manifest, blob) = try client.fetchManifest(.tag(tag), in: repository)
            return PublishedVersion(version: tag, created: manifest.annotations?[AnnotationKey.created],
                                    digest: blob.descriptor.digest.string, pipelineURL: layout.pipeline(name, tag))
        }
        return versions.sorted { ($0.created ?? "", $0.version) > ($1.created ?? "", $1.version) }
    }
}
