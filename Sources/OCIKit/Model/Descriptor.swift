/// An OCI content descriptor: what a blob is, how big, and its digest.
public struct Descriptor: Codable, Hashable, Sendable {
    public var mediaType: String
    public var digest: Digest
    public var size: Int64
    public var urls: [String]?
    public var annotations: [String: String]?
    public var data: String?
    public var artifactType: String?
    /// In an index: what the manifest runs on.
    public var platform: Platform?

    public init(mediaType: String, digest: Digest, size: Int64, annotations: [String: String]? = nil, artifactType: String? = nil,
                platform: Platform? = nil) {
        self.mediaType = mediaType
        self.digest = digest
        self.size = size
        self.annotations = annotations
        self.artifactType = artifactType
        self.platform = platform
    }
}

/// An OCI image manifest (image-spec 1.1), which also carries artifacts through `artifactType`.
public struct Manifest: Codable, Hashable, Sendable {
    public var schemaVersion = 2
    public var mediaType: String? = MediaType.imageManifest
    public var artifactType: String?
    public var config: Descriptor
    public var layers: [Descriptor]
    public var subject: Descriptor?
    public var annotations: [String: String]?

    public init(artifactType: String? = nil, config: Descriptor, layers: [Descriptor], subject: Descriptor? = nil, annotations: [String: String]? = nil) {
        self.artifactType = artifactType
        self.config = config
        self.layers = layers
        self.subject = subject
        self.annotations = annotations
    }
}

/// An OCI image index: the `index.json` of a layout, or a multi-platform manifest list.
public struct Index: Codable, Hashable, Sendable {
    public var schemaVersion = 2
    public var mediaType: String? = MediaType.imageIndex
    public var artifactType: String?
    public var manifests: [Descriptor]
    public var subject: Descriptor?
    public var annotations: [String: String]?

    public init(manifests: [Descriptor], annotations: [String: String]? = nil) {
        self.manifests = manifests
        self.annotations = annotations
    }
}

/// The `oci-layout` file at the root of an image layout.
public struct ImageLayoutHeader: Codable, Hashable, Sendable {
    public var imageLayoutVersion = "1.0.0"
    public init() {}
}
