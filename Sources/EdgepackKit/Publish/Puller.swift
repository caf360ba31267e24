import Foundation
import OCIKit
import Synchronization

/// One model file as pulled, what `edgepack pull` prints.
public struct PulledLayer: Sendable, Codable {
    public var digest: String
    public var filename: String
    public var name: String
    public var type: String
    public var runtime: String
    public var version: String
    public var path: String
}

/// Does what an edge engine does at start: fetch the pipeline manifest and config, fetch each model layer,
/// verify every digest, and lay the models out as `DIR/models/NAME/VERSION/FILE`. A pull is a copy like every
/// other command: from a source (a registry, or any other) into a `FileTreeDestination`, through the `Copier`
/// (its plan, verification, parallelism and stopping), staged beside `DIR` and put in place only when complete
/// (an earlier pull there is replaced whole, or kept whole if this one fails or is stopped). `DIR` is replaced only
/// when an earlier pull made it (`PullMarker`); a directory model unpacks to plain files only, within its limit.
public struct Puller: Sendable {
    public let client: RegistryClient

    public init(client: RegistryClient) {
        self.client = client
    }

    /// Pulls `repository` at a tag or digest. Blobs are downloaded resumably into the staging folder and linked
    /// into place (no second copy of a model). `maxUnpacked` lowers the most a directory model may unpack to;
    /// `models`, when not empty, names the only models to fetch (the pipeline config always comes).
    public func pull(repository: Repository, reference: ManifestReference, into directory: String,
                     maxUnpacked: Int64? = nil, models: [String] = []) throws -> (config: PipelineConfig, layers: [PulledLayer]) {
        let (bytes, manifest) = try client.fetchManifestBytes(reference, in: repository)
        let client = self.client
        return try Self.pull(manifest: Blob(descriptor: manifest.descriptor, content: .bytes(bytes)), named: ImageReference.join(repository, reference),
                             into: directory, concurrency: client.options.concurrency, maxUnpacked: maxUnpacked, models: models) { downloads in
            (RegistrySource(client: client, downloadingInto: downloads), repository)
        }
    }

    /// Pulls the pipeline manifest `manifest` (its exact bytes) from the source `makeSource` gives (told the
    /// folder it may download into), read from the repository it names; `name` names the pipeline in messages.
    public static func pull(manifest: Blob, named name: String, into directory: String, concurrency: Int, maxUnpacked: Int64? = nil, models: [String] = [],
                            source makeSource: (_ downloads: String) -> (source: any ContentSource, repository: Repository))
        throws -> (config: PipelineConfig, layers: [PulledLayer]) {
        guard case .bytes(let bytes) = manifest.content else { throw OCIError(.unsupported, "the manifest of \(name) is not held in memory") }
        let plan = try PullPlan(manifest: try CanonicalJSON.decode(Manifest.self, from: bytes, what: "manifest \(name)"), reference: name)
            .choosing(models: models, reference: name)
        try PullMarker.ensureReplaceable(directory)
        let config = Mutex<PipelineConfig?>(nil)
        let destination = try FileTreeDestination(directory: directory, placements: plan.placements(maxUnpacked: maxUnpacked),
                                                  isReplaceable: PullMarker.isPresent) { staged in
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: staged + "/" + PullPlan.configFile)))
            let decoded = try CanonicalJSON.decode(PipelineConfig.self, from: bytes, what: "the pipeline config")
            config.withLock { $0 = decoded }
            try PullMarker.write(into: staged, reference: name, digest: manifest.descriptor.digest, models: plan.chosenModels)
        }
        do {
            try DiskSpace.ensure(plan.bytesNeeded(maxUnpacked: maxUnpacked), for: directory, what: "the pull")
        } catch {
            destination.abort()
            throw error
        }
        let (source, repository) = makeSource(destination.downloads)
        let item = CopyItem(descriptor: manifest.descriptor, sourceRepository: repository, repository: repository.path, tag: nil)
        try Copier(from: source, to: SkippingDestination(destination, skipping: plan.leftOut), concurrency: concurrency).copy([item])
        guard let pulled = config.withLock({ $0 }) else { throw OCIError(.invalidLayout, "\(name) has no pipeline config") }
        return (pulled, plan.layers.map { layer in
            let annotations = layer.descriptor.annotations ?? [:]
            return PulledLayer(digest: layer.descriptor.digest.string, filename: layer.filename, name: layer.name,
                               type: annotations[LayerAnnotation.fileType] ?? "model", runtime: annotations[LayerAnnotation.runtime] ?? "",
                               version: layer.version, path: directory + "/" + layer.relativePath)
        })
    }
}
