import Foundation
import OCIKit

/// Where sites report what they run: `PREFIX/sites/PIPELINE`, one tag per site, each an OCI artifact (OCI's empty
/// config, the status JSON as its one layer). A tag per site rather than a referrer of the version it runs: a
/// report replaces the site's previous one (nothing piles up), it names no version that may be deleted, any
/// registry without the referrers API stores it, and listing every site is one tag list and a manifest and a
/// small blob per site.
public struct SiteReports: Sendable {
    public static let artifactType = "application/vnd.edgepack.site.status.v1+json"
    /// A report is a few hundred bytes; anything much bigger is not one.
    static let maxReportSize: Int64 = 64 << 10

    public let client: RegistryClient
    public let layout: RegistryLayout
    public let pipeline: String

    public init(client: RegistryClient, layout: RegistryLayout, pipeline: String) {
        self.client = client
        self.layout = layout
        self.pipeline = pipeline
    }

    var relativeRepository: String { "sites/\(pipeline)" }
    var repository: Repository {
        let path = Publisher.split(layout).path
        return Repository(unchecked: path).appending(relativeRepository)
    }

    /// Replaces the site's report with `status`.
    public func push(_ status: AgentStatus) throws {
        let layer = Blob(mediaType: Self.artifactType, bytes: try CanonicalJSON.encode(status))
        let config = Blob(mediaType: MediaType.empty, bytes: Array("{}".utf8))
        var annotations = ["edgepack.dev/site": status.site]
        if let reported = status.reportedAt { annotations[AnnotationKey.created] = reported }
        let manifest = Manifest(artifactType: Self.artifactType, config: config.descriptor, layers: [layer.descriptor], subject: nil, annotations: annotations)
        let artifact = try Artifact(reference: "\(relativeRepository):\(status.site)", manifest: manifest, config: config, layers: [layer])
        let destination = RegistryDestination(client: client, prefixPath: Publisher.split(layout).path)
        let item = CopyItem(artifact)
        try Copier(from: ArtifactSource([artifact]), to: destination).copy([item])
    }

    /// Every site's last report, by site name. A tag that holds no readable report is skipped.
    public func all() throws -> [AgentStatus] {
        let sites = try client.tags(of: repository).filter { !$0.hasPrefix("sha256-") }.sorted()
        let reports = try Parallel.map(sites, concurrency: client.options.concurrency) { site -> AgentStatus? in
            guard let (manifest, _) = try? client.fetchManifest(.tag(site), in: repository) else { return nil }
            guard manifest.artifactType == Self.artifactType, let layer = manifest.layers.first, layer.mediaType == Self.artifactType,
                  layer.size <= Self.maxReportSize else { return nil }
            let sink = MemorySink()
            guard (try? client.fetchBlob(layer, from: repository, into: sink)) != nil else { return nil }
            guard var status = try? AgentStatus.decode(sink.bytes, what: "the report of \(site)") else { return nil }
            status.site = site  // the tag is what the site reported as
            return status
        }
        return reports.compactMap { $0 }
    }
}
