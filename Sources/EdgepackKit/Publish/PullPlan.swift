import OCIKit

/// What `pull` will write for a pipeline manifest, decided and checked before a byte is fetched: the manifest
/// is an edgepack pipeline with at least one model layer, and every layer maps to its own
/// `models/NAME/VERSION/FILE`, each part a plain file name.
struct PullPlan {
    struct Layer {
        var descriptor: Descriptor
        var name: String
        var version: String
        var filename: String
        var relativePath: String { "models/\(name)/\(version)/\(filename)" }
        var isTar: Bool { descriptor.mediaType == MediaType.ModelPack.weightTar }
    }

    let layers: [Layer]
    let config: Descriptor

    /// Where the pipeline config goes in the pulled folder.
    static let configFile = "pipeline.json"

    /// Every file of the pull, by the blob that fills it; a directory layer unpacks to at most `unpackLimit(of:)`.
    func placements(maxUnpacked: Int64?) -> [Digest: [FileTreeDestination.Placement]] {
        var placements: [Digest: [FileTreeDestination.Placement]] = [config.digest: [.init(path: Self.configFile)]]
        for layer in layers {
            placements[layer.descriptor.digest, default: []].append(
                .init(path: layer.relativePath, unpacked: layer.isTar, limit: layer.isTar ? Self.unpackLimit(of: layer, maxUnpacked: maxUnpacked) : nil))
        }
        return placements
    }

    /// A directory layer is an uncompressed tar (its media type says so), so it never unpacks to more than its own
    /// size; one that does (compressed bytes under that type) is refused when it passes it, or `--max-unpacked`.
    static func unpackLimit(of layer: Layer, maxUnpacked: Int64?) -> UnpackLimit {
        if let maxUnpacked, maxUnpacked < layer.descriptor.size {
            return UnpackLimit(bytes: maxUnpacked, reason: "the --max-unpacked limit (raise it to pull this model)")
        }
        return UnpackLimit(bytes: layer.descriptor.size, reason: "the layer's own size (an uncompressed tar never unpacks to more)")
    }

    /// Disk space the pull needs: a directory layer is downloaded as a tar, then unpacked up to its limit.
    func bytesNeeded(maxUnpacked: Int64?) -> Int64 {
        layers.reduce(config.size) { total, layer in
            total + layer.descriptor.size + (layer.isTar ? Self.unpackLimit(of: layer, maxUnpacked: maxUnpacked).bytes : 0)
        }
    }

    init(manifest: Manifest, reference: String) throws {
        let type = manifest.artifactType ?? manifest.config.mediaType
        guard manifest.artifactType == nil || manifest.artifactType == EdgepackMediaType.pipelineArtifact,
              manifest.config.mediaType == EdgepackMediaType.pipelineConfig
        else {
            throw OCIError(.unsupported, "\(reference) is not an edgepack pipeline (its type is \(MessageText.escaped(type)), not \(EdgepackMediaType.pipelineArtifact))")
        }
        guard !manifest.layers.isEmpty else {
            throw OCIError(.invalidLayout, "\(reference) lists no model layers; a pipeline has one layer per model")
        }
        config = manifest.config
        var owners: [String: Digest] = [:]
        layers = try manifest.layers.map { descriptor in
            guard [MediaType.ModelPack.weightRaw, MediaType.ModelPack.weightTar].contains(descriptor.mediaType) else {
                throw OCIError(.unsupported, "\(reference): layer \(descriptor.digest) has media type \(MessageText.escaped(descriptor.mediaType)), not a model file")
            }
            let annotations = descriptor.annotations ?? [:]
            let layer = Layer(
                descriptor: descriptor,
                name: annotations[LayerAnnotation.name] ?? descriptor.digest.encoded,
                version: annotations[LayerAnnotation.version] ?? "unversioned",
                filename: annotations[LayerAnnotation.filename] ?? annotations[AnnotationKey.title] ?? descriptor.digest.encoded
            )
            for part in [layer.name, layer.version, layer.filename] where !PlainRelativePath.isFileName(part) {
                throw OCIError(.unsafePath, "\(reference): layer \(descriptor.digest) names an unsafe path '\(MessageText.escaped(part))'; refusing it")
            }
            if let other = owners.updateValue(descriptor.digest, forKey: layer.relativePath) {
                throw OCIError(.invalidLayout, "\(reference): layers \(other) and \(descriptor.digest) both map to \(MessageText.escaped(layer.relativePath)); refusing to pull")
            }
            return layer
        }
    }
}
