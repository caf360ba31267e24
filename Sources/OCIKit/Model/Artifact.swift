/// One manifest with every blob it references, and the name it is stored under
/// (`org.opencontainers.image.ref.name` in a layout, `repository:tag` in a registry).
public struct Artifact: Sendable, Hashable {
    /// `repository:tag` relative to a registry prefix, e.g. `pipelines/ccfraud:2c59…`.
    public var reference: String
    public var manifest: Manifest
    public var manifestBlob: Blob
    public var config: Blob
    public var layers: [Blob]

    public init(reference: String, manifest: Manifest, config: Blob, layers: [Blob]) throws {
        self.reference = reference
        self.manifest = manifest
        self.config = config
        self.layers = layers
        self.manifestBlob = Blob(
            mediaType: manifest.mediaType ?? MediaType.imageManifest,
            bytes: try CanonicalJSON.encode(manifest),
            artifactType: manifest.artifactType
        )
    }

    /// An artifact read from elsewhere (a bundle, a registry), keeping its manifest's exact bytes.
    public init(reference: String, manifestBlob: Blob, manifest: Manifest, config: Blob, layers: [Blob]) {
        self.reference = reference
        self.manifest = manifest
        self.manifestBlob = manifestBlob
        self.config = config
        self.layers = layers
    }

    public var repository: String { Self.split(reference).repository }
    public var tag: String { Self.split(reference).tag }

    /// The manifest's descriptor as an index entry naming this artifact.
    public var indexDescriptor: Descriptor {
        var descriptor = manifestBlob.descriptor
        descriptor.annotations = [AnnotationKey.refName: reference]
        return descriptor
    }

    /// The config and layer blobs (not the manifest), each once.
    public var contentBlobs: [Blob] {
        var seen = Set<Digest>()
        return ([config] + layers).filter { seen.insert($0.descriptor.digest).inserted }
    }

    public static func split(_ reference: String) -> (repository: String, tag: String) {
        guard let colon = reference.lastIndex(of: ":"), !reference[colon...].contains("/") else {
            return (reference, "latest")
        }
        return (String(reference[..<colon]), String(reference[reference.index(after: colon)...]))
    }
}
