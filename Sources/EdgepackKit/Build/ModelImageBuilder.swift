import OCIKit

/// Each model also as an OCI image that Kubernetes can mount (ImageVolume, KServe modelcars): one uncompressed
/// tar layer holding the model's files under `models/NAME/`, a minimal config with the deployment's platform
/// and no entrypoint. Referenced as `model-images/NAME:VERSION`.
struct ModelImageBuilder: Sendable {
    static let layerMediaType = "application/vnd.oci.image.layer.v1.tar"
    static let repository = "model-images"

    var digester: FileDigester
    var tarOptions: TarOptions
    var created: String?

    func images(for models: [BuiltModel], arch: Architecture) throws -> [Artifact] {
        let digester = self.digester
        let layers = try Parallel.map(models, concurrency: digester.concurrency) { model -> Blob in
            var options = tarOptions
            options.root = "models/\(model.spec.name)"
            let content = BlobContent.directoryTar(path: model.spec.resolvedPath, options: options)
            let digest = try content.digest(using: digester)
            return Blob(descriptor: Descriptor(mediaType: Self.layerMediaType, digest: digest.digest, size: digest.size), content: content)
        }
        return try zip(models, layers).map { model, layer in try image(model, layer: layer, arch: arch) }
    }

    private func image(_ model: BuiltModel, layer: Blob, arch: Architecture) throws -> Artifact {
        let config = ImageConfig(architecture: arch.platform.architecture, os: arch.platform.os,
                                 rootfs: .init(type: "layers", diffIds: [layer.descriptor.digest.string]))
        let configBlob = Blob(mediaType: MediaType.imageConfig, bytes: try CanonicalJSON.encode(config))
        var annotations = [AnnotationKey.title: model.spec.name, AnnotationKey.version: model.version]
        if let created { annotations[AnnotationKey.created] = created }
        let manifest = Manifest(config: configBlob.descriptor, layers: [layer.descriptor], annotations: annotations)
        return try Artifact(reference: "\(Self.repository)/\(model.spec.name):\(model.version)", manifest: manifest, config: configBlob, layers: [layer])
    }

    /// The image config's required fields, nothing to run.
    private struct ImageConfig: Encodable {
        struct RootFS: Encodable {
            var type: String
            var diffIds: [String]
            enum CodingKeys: String, CodingKey { case type, diffIds = "diff_ids" }
        }
        var architecture: String
        var os: String
        var rootfs: RootFS
    }
}

extension Release {
    /// The reference a model's image is mounted by: its repository under the prefix, pinned by digest.
    func modelImageReferences(in layout: RegistryLayout) -> [(model: String, reference: String)] {
        modelImages.compactMap { image in
            guard let model = image.manifest.annotations?[AnnotationKey.title] else { return nil }
            return (model, layout.name(of: "\(image.repository)@\(image.manifestBlob.descriptor.digest)"))
        }.sorted { $0.model < $1.model }
    }
}
