import OCIKit

/// What `pull` will write for a pipeline manifest, decided and checked before a byte is fetched: the manifest
/// is an edgepack pipeline with at least one model layer, and every layer maps to its own
/// `models/NAME/VERSION/FILE`, each part a plain file name; or only the layers of the models chosen.
struct PullPlan {
    struct Layer {
        var descriptor: Descriptor
        var name: String
        var version: String
        var filename: String
        var relativePath: String { "models/\(name)/\(version)/\(filename)" }
        var isTar: Bool { descriptor.mediaType == MediaType.ModelPack.weightTar }
    }

    private(set) var layers: [Layer]
    let config: Descriptor
    /// Blobs of the manifest this plan leaves out (models not chosen); none are fetched.
    private(set) var leftOut: Set<Digest> = []
    /// The models chosen, nil for all of them.
    private(set) var chosenModels: [String]?

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
            return UnpackLimit(bytes: maxUnpacked, reason: "the limit set for this pull", obstacle: .unpackLimitChosen)
        }
        return UnpackLimit(bytes: layer.descriptor.size, reason: "the layer's own size (an uncompressed tar never unpacks to more)")
    }

    /// Disk space the pull needs: a directory layer is downloaded as a tar, then unpacked up to its limit.
    func bytesNeeded(maxUnpacked: Int64?) -> Int64 {
        layers.reduce(config.size) { total, layer in
            total + layer.descriptor.size + (layer.isTar ? Self.unpackLimit(of: layer, maxUnpacked: maxUnpacked).bytes : 0)
        }
    }

    /// The plan for only the models named `names` (every layer of each); each name must be one of the pipeline's.
    func choosing(models names: [String], reference: String) throws -> PullPlan {
        guard !names.isEmpty else { return self }
        let known = layers.map(\.name).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        for name in names where !known.contains(name) {
            throw OCIError(.notFound, "\(reference) has no model '\(MessageText.escaped(name))'; its models are \(known.joined(separator: ", "))")
        }
        var chosen = self
        chosen.layers = layers.filter { names.contains($0.name) }
        let kept = Set(chosen.layers.map(\.descriptor.digest) + [config.digest])
        chosen.leftOut = Set(layers.map(\.descriptor.digest)).subtracting(kept)
        chosen.chosenModels = known.filter(names.contains)
        return chosen
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
