import Foundation
import OCIKit

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
/// verify every digest, and lay the models out as `DIR/models/NAME/VERSION/FILE`.
public struct Puller: Sendable {
    public let client: RegistryClient

    public init(client: RegistryClient) {
        self.client = client
    }

    /// Everything is fetched into a staging directory beside `directory` and verified; only then is it renamed
    /// into place (an earlier pull there is replaced whole, or kept whole if this one fails).
    public func pull(repository: String, reference: String, into directory: String) throws -> (config: PipelineConfig, layers: [PulledLayer]) {
        let (manifest, _) = try client.fetchManifest(reference, in: repository)
        let plan = try PullPlan(manifest: manifest, reference: ImageReference.join(repository, reference))
        let configSink = MemorySink()
        try client.fetchBlob(manifest.config, from: repository, into: configSink)
        let config = try CanonicalJSON.decode(PipelineConfig.self, from: configSink.bytes, what: "the pipeline config")
        let staging = try StagedDirectory(for: directory) { FileStatus.exists($0 + "/pipeline.json") }
        do {
            // A directory layer is downloaded as a tar, then unpacked: twice its size for a moment.
            let needed = plan.layers.reduce(Int64(configSink.bytes.count)) { $0 + $1.descriptor.size * ($1.descriptor.mediaType == MediaType.ModelPack.weightTar ? 2 : 1) }
            try DiskSpace.ensure(needed, for: staging.path, what: "the pull")
            let client = self.client
            let layers = try Parallel.map(plan.layers, concurrency: client.options.concurrency) { layer in
                try Self.fetch(layer, from: repository, into: staging.path, client: client)
            }
            try AtomicFile.write(Data(configSink.bytes), to: staging.path + "/pipeline.json")
            try staging.commit()
            return (config, layers.map { layer in
                var layer = layer
                layer.path = directory + layer.path.dropFirst(staging.path.count)
                return layer
            })
        } catch {
            staging.discard()
            throw error
        }
    }

    private static func fetch(_ layer: PullPlan.Layer, from repository: String, into directory: String, client: RegistryClient) throws -> PulledLayer {
        let descriptor = layer.descriptor
        let annotations = descriptor.annotations ?? [:]
        let target = directory + "/" + layer.relativePath
        try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let download = AtomicFile.temporaryPath(for: target)
        defer { unlink(download) }
        try client.fetchBlob(descriptor, from: repository, toFile: download)
        if descriptor.mediaType == MediaType.ModelPack.weightTar {
            try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
            try TarExtractor.extract(download, into: target)
        } else {
            guard rename(download, target) == 0 else { throw OCIError(.io, "cannot rename into place \(target)") }
        }
        return PulledLayer(digest: descriptor.digest.string, filename: layer.filename, name: layer.name,
                           type: annotations[LayerAnnotation.fileType] ?? "model", runtime: annotations[LayerAnnotation.runtime] ?? "",
                           version: layer.version, path: target)
    }
}
