import Foundation
import OCIKit

/// One published version in a registry, read as a layout of manifests so that `ReleaseDiff` can compare it with
/// another version or a bundle: the pipeline, the models its layers name, its chart and its compose file (what the
/// registry holds of them; an image the pipeline runs on is not recorded beside the version, so it is not listed).
/// Only manifests are read; every other blob is known by its descriptor alone.
public struct RegistryRelease: ImageLayoutSource {
    public let path: String
    public let index: Index
    private let manifests: [OCIKit.Digest: [UInt8]]

    public init(client: RegistryClient, layout: RegistryLayout, pipeline name: String, version: String) throws {
        path = layout.pipeline(name, version)
        let prefix = Publisher.split(layout).path
        func repository(_ relative: String) -> Repository { Repository(unchecked: prefix).appending(relative) }
        var entries: [Descriptor] = [], manifests: [OCIKit.Digest: [UInt8]] = [:]
        func add(_ relative: String, _ tag: String, required: Bool) throws -> Manifest? {
            let place = repository(relative)
            let bytes: [UInt8], blob: Blob
            do {
                (bytes, blob) = try client.fetchManifestBytes(ManifestReference(tag), in: place)
            } catch let error as OCIError where error.code == .notFound && !required {
                return nil
            }
            var descriptor = blob.descriptor
            descriptor.annotations = [AnnotationKey.refName: "\(relative):\(tag)"]
            entries.append(descriptor)
            manifests[descriptor.digest] = bytes
            return try CanonicalJSON.decode(Manifest.self, from: bytes, what: "manifest \(relative):\(tag)")
        }
        guard let pipeline = try add("pipelines/\(name)", version, required: true) else { throw OCIError(.notFound, "\(path) is not there") }
        for layer in pipeline.layers {
            // Names from the registry: only a plain component and a tag ever become a request.
            guard let model = layer.annotations?[LayerAnnotation.name], let modelVersion = layer.annotations?[LayerAnnotation.version],
                  (try? Repository.checkComponent(model, as: "model name")) != nil, ReferenceName.isTag(modelVersion) else { continue }
            _ = try add("models/\(model)", modelVersion, required: false)
        }
        _ = try add("charts/\(name)", RegistryLayout.chartVersion(version), required: false)
        _ = try add("compose/\(name)", version, required: false)
        index = Index(manifests: entries)
        self.manifests = manifests
    }

    public func blob(_ descriptor: Descriptor) throws -> Blob {
        Blob(descriptor: descriptor, content: .bytes(manifests[descriptor.digest] ?? []))
    }

    public func bytes(_ descriptor: Descriptor) throws -> [UInt8] {
        guard let bytes = manifests[descriptor.digest] else { throw OCIError(.notFound, "\(path): \(descriptor.digest) was not read") }
        return bytes
    }
}
