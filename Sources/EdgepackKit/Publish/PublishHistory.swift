import Foundation
import OCIKit

/// One published version of a pipeline (Wallaroo's `pipeline.publishes()`), with its publish records.
public struct PublishedVersion: Sendable, Codable {
    public var version: String
    /// The manifest's own creation time (set only when published with SOURCE_DATE_EPOCH).
    public var created: String?
    /// The first publish record's wall-clock time, and who made it.
    public var createdAt: String?
    public var createdBy: String?
    /// The latest record's time (a later promote or channel publish).
    public var updatedAt: String?
    /// The channels that point at this version now.
    public var channels: [String]
    /// What channel moves to this version replaced, oldest first.
    public var replaces: [PublishRecord.Replaced]
    public var digest: String
    public var pipelineURL: String
    public var records: [PublishEvent]

    enum CodingKeys: String, CodingKey {
        case version, created, digest, channels, replaces, records
        case createdAt = "created_at", createdBy = "created_by", updatedAt = "updated_at", pipelineURL = "pipeline_url"
    }
}

public enum PublishHistory {
    /// Every version published under `layout` for pipeline `name`, newest first (by the first publish record's
    /// time, then the manifest's creation time, then the version).
    public static func list(_ name: String, layout: RegistryLayout, client: RegistryClient) throws -> [PublishedVersion] {
        let repository = PipelineRepositories(layout: layout, pipeline: name).pipelines
        let ledger = PublishLedger(client: client, layout: layout, pipeline: name)
        // Signatures, attestations and referrers live beside the versions as `sha256-HEX[.sig|.att]` tags.
        let tags = try client.tags(of: repository).filter { !$0.hasPrefix("sha256-") }
        let fetched = try Parallel.map(tags, concurrency: client.options.concurrency) { tag in
            let (manifest, blob) = try client.fetchManifest(.tag(tag), in: repository)
            return (tag, manifest, blob.descriptor.digest)
        }
        // A tag that is not its manifest's own version is a channel pointing at that version.
        var pointing: [OCIKit.Digest: [String]] = [:]
        for (tag, manifest, digest) in fetched where (manifest.annotations?[AnnotationKey.version]).map({ $0 != tag }) ?? false {
            pointing[digest, default: []].append(tag)
        }
        let channels = pointing
        let versions = fetched.filter { tag, manifest, _ in (manifest.annotations?[AnnotationKey.version]).map { $0 == tag } ?? true }
        let listed = try Parallel.map(versions.map { ($0.0, $0.1, $0.2) }, concurrency: client.options.concurrency) { tag, manifest, digest in
            let records = try ledger.records(of: digest)
            var replaces: [PublishRecord.Replaced] = []
            for item in records.flatMap(\.replaces) where !replaces.contains(item) { replaces.append(item) }
            return PublishedVersion(version: tag, created: manifest.annotations?[AnnotationKey.created], createdAt: records.first?.createdAt,
                                    createdBy: records.first?.createdBy, updatedAt: records.last?.createdAt,
                                    channels: (channels[digest] ?? []).sorted(), replaces: replaces, digest: digest.string,
                                    pipelineURL: layout.pipeline(name, tag), records: records)
        }
        return listed.sorted { ($0.createdAt ?? "", $0.created ?? "", $0.version) > ($1.createdAt ?? "", $1.created ?? "", $1.version) }
    }

    /// The pipelines published under `layout`, from the registry's catalog (nil when it keeps its catalog to itself).
    public static func pipelines(layout: RegistryLayout, client: RegistryClient) -> [String]? {
        guard let catalog = try? client.catalog() else { return nil }
        let path = Publisher.split(layout).path
        let prefix = (path.isEmpty ? "" : path + "/") + "pipelines/"
        return catalog.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }.filter { !$0.contains("/") }.sorted()
    }

    /// "no publishes of NAME in PREFIX", with the pipelines that are there and the nearest name to NAME.
    public static func nothingPublished(_ name: String, layout: RegistryLayout, client: RegistryClient) -> OCIError {
        var message = "no publishes of \(name) in \(layout.prefix)"
        if let others = pipelines(layout: layout, client: client) {
            let nearest = others.min { EditDistance.between($0, name) < EditDistance.between($1, name) }
            if let nearest, EditDistance.between(nearest, name) <= max(2, name.count / 3) {
                message += "; did you mean '\(nearest)'?"
            }
            message += others.isEmpty ? "; it holds no pipelines" : "; pipelines there: " + others.prefix(20).joined(separator: ", ") + (others.count > 20 ? ", …" : "")
        }
        return OCIError(.notFound, message)
    }
}
