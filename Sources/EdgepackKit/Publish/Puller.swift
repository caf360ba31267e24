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

    public func pull(repository: String, reference: String, into directory: String) throws -> (config: PipelineConfig, layers: [PulledLayer]) {
        let (manifest, _) = try client.fetchManifest(reference, in: repository)
        guard manifest.artifactType == EdgepackMediaType.pipelineArtifact || manifest.config.mediaType == EdgepackMediaType.pipelineConfig else {
            throw OCIError(.unsupported, "\(ImageReference.join(repository, reference)) is not an edgepack pipeline (its type is \(manifest.artifactType ?? manifest.config.mediaType))")
        }
        let configSink = MemorySink()
        try client.fetchBlob(manifest.config, from: repository, into: configSink)
        let config = try CanonicalJSON.decode(PipelineConfig.self, from: configSink.bytes, what: "the pipeline config")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try AtomicFile.write(Data(configSink.bytes), to: directory + "/pipeline.json")

        let client = self.client
        let layers = try Parallel.map(manifest.layers, concurrency: client.options.concurrency) { layer in
            try Self.fetch(layer, from: repository, into: directory, client: client)
        }
        return (config, layers)
    }

    private static func fetch(_ layer: Descriptor, from repository: String, into directory: String, client: RegistryClient) throws -> PulledLayer {
        let annotations = layer.annotations ?? [:]
        let name = annotations[LayerAnnotation.name] ?? layer.digest.encoded
        let version = annotations[LayerAnnotation.version] ?? "unversioned"
        let filename = annotations[LayerAnnotation.filename] ?? annotations[AnnotationKey.title] ?? layer.digest.encoded
        for part in [name, version, filename] where part.isEmpty || part.contains("/") || part == ".." || part == "." {
            throw OCIError(.unsafePath, "layer \(layer.digest) names an unsafe path '\(part)'; refusing it")
        }
        let folder = "\(directory)/models/\(name)/\(version)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let target = "\(folder)/\(filename)"
        let download = AtomicFile.temporaryPath(for: target)
        defer { unlink(download) }
        try client.fetchBlob(layer, from: repository, toFile: download)
        if layer.mediaType == MediaType.ModelPack.weightTar {
            let staging = AtomicFile.temporaryPath(for: target)
            defer { try? FileManager.default.removeItem(atPath: staging) }
            try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
            try TarExtractor.extract(download, into: staging)
            try? FileManager.default.removeItem(atPath: target)
            try FileManager.default.moveItem(atPath: staging, toPath: target)
        } else {
            try? FileManager.default.removeItem(atPath: target)
            try FileManager.default.moveItem(atPath: download, toPath: target)
        }
        return PulledLayer(digest: layer.digest.string, filename: filename, name: name,
                           type: annotations[LayerAnnotation.fileType] ?? "model", runtime: annotations[LayerAnnotation.runtime] ?? "",
                           version: version, path: target)
    }
}

