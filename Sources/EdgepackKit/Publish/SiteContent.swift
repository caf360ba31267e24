import Foundation
import OCIKit

/// What an edge site already holds, as blob digests: read from the bundle it was last given (`export --since`)
/// or from the inventory it made of its registry (`edgepack inventory`, then `export --site-inventory`). A delta
/// bundle leaves those blobs out.
public enum SiteContent {
    /// Every blob the old bundle's manifests reference: the site got them when that bundle was pushed (a delta
    /// bundle's push required the ones it did not carry to be there already).
    public static func digests(sinceBundle path: String) throws -> Set<OCIKit.Digest> {
        try ImageLayoutBundle(path: path).referencedDigests()
    }

    public static func digests(inventory path: String) throws -> Set<OCIKit.Digest> {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw OCIError(.io, "cannot read the site inventory \(path): give the file 'edgepack inventory' wrote at the site")
        }
        let inventory = try CanonicalJSON.decode(RegistryInventory.self, from: Array(data), what: "site inventory \(path)")
        guard inventory.format == RegistryInventory.format else {
            throw OCIError(.invalidJSON, "\(path) is not a site inventory (format \(inventory.format)); make one with 'edgepack inventory' at the site")
        }
        return inventory.digests
    }

    /// The blobs a delta bundle of `artifacts` leaves out: those the site holds, except what `push` reads from the
    /// bundle itself (configs, and the chart, compose, signature and attestation contents, which it renders or
    /// checks again for the site). Model and pipeline layers, model images' layers and image layers, are what gets left out.
    public static func omitted(from artifacts: [Artifact], siteHolds: Set<OCIKit.Digest>) -> Set<OCIKit.Digest> {
        let heavy: Set<String> = [EdgepackMediaType.pipelineArtifact, MediaType.ModelPack.artifactType]
        var carried = Set<OCIKit.Digest>()
        for artifact in artifacts {
            carried.insert(artifact.config.descriptor.digest)
            let isModelImage = artifact.repository.hasPrefix(ModelImageBuilder.repository + "/")
            if !heavy.contains(artifact.manifest.artifactType ?? ""), !isModelImage { carried.formUnion(artifact.layers.map(\.descriptor.digest)) }
        }
        return siteHolds.subtracting(carried)
    }

    /// The repositories of edgepack's layout that an inventory of `pipelines` reads: each pipeline's own, the
    /// models its versions name, the engine and the sidekicks. Without pipelines, every edgepack repository the
    /// registry's catalog lists under the prefix (nil when the registry keeps its catalog to itself).
    public static func repositories(pipelines: [String], client: RegistryClient, layout: RegistryLayout) throws -> [String]? {
        let path = Publisher.split(layout).path
        let kinds = ["pipelines/", "models/", "model-images/", "charts/", "compose/", "sidekicks/", "engine"]
        guard !pipelines.isEmpty else {
            guard let catalog = try? client.catalog() else { return nil }
            let prefix = path.isEmpty ? "" : path + "/"
            return catalog.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
                .filter { relative in kinds.contains { relative.hasPrefix($0) } }
        }
        var repositories = ["engine"]
        for pipeline in pipelines {
            repositories += ["pipelines/\(pipeline)", "charts/\(pipeline)", "compose/\(pipeline)"]
            let repository = PipelineRepositories(layout: layout, pipeline: pipeline).pipelines
            let tags = try client.tags(of: repository).filter { !$0.hasPrefix("sha256-") }
            let models = try Parallel.map(tags, concurrency: client.options.concurrency) { tag in
                try client.fetchManifest(ManifestReference(tag), in: repository).manifest.layers.compactMap { $0.annotations?[LayerAnnotation.name] }
                    .filter { (try? Repository.checkComponent($0, as: "model name")) != nil }  // a registry's names stay in the prefix
            }
            for model in Set(models.flatMap { $0 }).sorted() { repositories += ["models/\(model)", "model-images/\(model)", "sidekicks/\(model)"] }
        }
        var seen = Set<String>()
        return repositories.filter { seen.insert($0).inserted }
    }
}
