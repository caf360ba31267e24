import Foundation

/// `docker save` output (`manifest.json`, a config, layer tars; the legacy layout or docker 25's) read as an
/// image. An OCI image manifest is generated over the config as it is (its digest stays the image ID) and the
/// layer tars as they are: uncompressed, so each layer's digest is its diff ID (`…layer.v1.tar`); a gzipped
/// layer keeps its own digest (`…layer.v1.tar+gzip`). That is what skopeo writes for `docker-archive:` →
/// `oci-archive:`. (For `docker://` skopeo writes a Docker v2 manifest and gzips the layers, which makes the
/// digest depend on the compressor; and skopeo 1.9 cannot read Docker manifests out of an OCI layout.) Nothing
/// is recompressed and the manifest is canonical JSON of fixed inputs, so the same archive always gives the
/// same digest, in a registry and in a bundle alike.
public struct DockerArchive: Sendable {
    public static let layerMediaType = "application/vnd.oci.image.layer.v1.tar"
    public static let gzipLayerMediaType = "application/vnd.oci.image.layer.v1.tar+gzip"

    public let path: String
    /// The generated manifest, its config and layers (layers are byte ranges of the archive).
    public let manifest: Blob
    public let blobs: [Blob]
    /// The image's `RepoTags` in the archive (e.g. `engine:v1`).
    public let repoTags: [String]
    public let platform: Platform?

    public init(path: String, reference: String? = nil) throws {
        self.path = path
        let tar = try TarIndex(path: path)
        struct Entry: Decodable {
            var Config: String
            var RepoTags: [String]?
            var Layers: [String]
        }
        guard let listing = tar.file("manifest.json") else {
            throw OCIError(.invalidLayout, "\(path) is not a docker-archive (no manifest.json); make it with docker save")
        }
        let images = try CanonicalJSON.decode([Entry].self, from: try Self.read(path, listing, limit: 16 << 20), what: "\(path): manifest.json")
        let image: Entry
        if let reference {
            guard let match = images.first(where: { $0.RepoTags?.contains(reference) == true }) else {
                throw OCIError(.notFound, "\(path) has no image tagged \(reference); it has \(Self.names(images.flatMap { $0.RepoTags ?? [] }))")
            }
            image = match
        } else {
            guard images.count == 1 else {
                throw OCIError(.invalidLayout, images.isEmpty ? "\(path) holds no image"
                    : "\(path) holds \(images.count) images (\(Self.names(images.flatMap { $0.RepoTags ?? [] }))); save one image per archive")
            }
            image = images[0]
        }
        repoTags = image.RepoTags ?? []

        guard let configEntry = tar.file(image.Config) else { throw OCIError(.invalidLayout, "\(path) lacks the image config \(image.Config)") }
        let configBytes = try Self.read(path, configEntry, limit: 16 << 20)
        struct Config: Decodable {
            struct RootFS: Decodable { var diff_ids: [Digest]? }
            var rootfs: RootFS?
            var architecture: String?
            var os: String?
            var variant: String?
        }
        let config = try CanonicalJSON.decode(Config.self, from: configBytes, what: "\(path): \(image.Config)")
        let diffIDs = config.rootfs?.diff_ids ?? []
        guard diffIDs.count == image.Layers.count else {
            throw OCIError(.invalidLayout, "\(path): the config lists \(diffIDs.count) layers, manifest.json \(image.Layers.count)")
        }
        platform = config.architecture.map { Platform(os: config.os ?? "linux", architecture: $0, variant: config.variant) }
        let configBlob = Blob(mediaType: MediaType.imageConfig, bytes: configBytes)

        var layers: [Blob] = []
        for (name, diffID) in zip(image.Layers, diffIDs) {
            guard let entry = tar.file(name) else { throw OCIError(.invalidLayout, "\(path) lacks layer \(name)") }
            let content = BlobContent.fileRange(path: path, offset: entry.offset, length: entry.size)
            let magic = try Self.read(path, TarIndex.Entry(offset: entry.offset, size: min(entry.size, 4)), limit: 4)
            if magic.starts(with: [0x1f, 0x8b]) {
                let digest = try content.digest()
                layers.append(Blob(descriptor: Descriptor(mediaType: Self.gzipLayerMediaType, digest: digest.digest, size: digest.size), content: content))
            } else if magic.starts(with: [0x28, 0xb5, 0x2f, 0xfd]) {
                let digest = try content.digest()
                layers.append(Blob(descriptor: Descriptor(mediaType: "application/vnd.oci.image.layer.v1.tar+zstd", digest: digest.digest, size: digest.size), content: content))
            } else {
                // Checked against the diff ID as it is copied.
                layers.append(Blob(descriptor: Descriptor(mediaType: Self.layerMediaType, digest: diffID, size: entry.size), content: content))
            }
        }
        let manifest = Manifest(config: configBlob.descriptor, layers: layers.map(\.descriptor))
        self.manifest = Blob(mediaType: MediaType.imageManifest, bytes: try CanonicalJSON.encode(manifest))
        blobs = [configBlob] + layers
    }

    /// The archive as a copy source (its manifest, config and layers).
    public var source: ArtifactSource { ArtifactSource(blobs: [manifest] + blobs) }

    private static func read(_ path: String, _ entry: TarIndex.Entry, limit: Int64) throws -> [UInt8] {
        guard entry.size <= limit else { throw OCIError(.unsupported, "\(path): an entry of \(entry.size) bytes is too large to read into memory") }
        let sink = MemorySink()
        try FileStreamer.stream(source: try FileUploadSource(path: path, offset: entry.offset, length: entry.size), into: sink)
        return sink.bytes
    }

    private static func names(_ tags: [String]) -> String {
        tags.isEmpty ? "untagged images" : tags.joined(separator: ", ")
    }
}
