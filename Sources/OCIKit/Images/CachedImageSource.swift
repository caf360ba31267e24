import Foundation

/// A registry image read from the blob cache alone, with no network: its manifests and blobs as an earlier copy
/// left them there, each checked against its digest on the way out. A missing piece is an error naming it.
struct CachedImageSource: ContentSource {
    let cache: BlobCache
    /// Where the image lives in its registry: a destination on that host may still mount from it.
    let origin: BlobOrigin
    /// The image as named, for the obstacle of a missing piece.
    let image: String

    func manifestBytes(_ descriptor: Descriptor, in repository: Repository) throws -> [UInt8] {
        guard let bytes = cache.manifestBytes(descriptor.digest) else {
            throw missing("its manifest \(descriptor.digest) is not in the blob cache")
        }
        return bytes
    }

    func blob(_ descriptor: Descriptor, in repository: Repository) throws -> Blob {
        guard let path = cache.lookup(descriptor) else { throw missing("its blob \(descriptor.digest) is not in the blob cache") }
        return Blob(descriptor: descriptor, content: .file(path: path))
    }

    func missing(_ what: String) -> OCIError { OCIError(.notFound, what, obstacle: .imageNotCached(image: image)) }

    func mountOrigin(in repository: Repository) -> BlobOrigin? { origin }

    /// Throws unless every manifest, config and layer under `descriptor` is in the cache and intact.
    func requireWhole(_ descriptor: Descriptor) throws {
        switch try ManifestContent(try manifestBytes(descriptor, in: .unnamed), mediaType: descriptor.mediaType) {
        case .index(let index):
            for child in index.manifests { try requireWhole(child) }
        case .manifest(let manifest):
            for blob in [manifest.config] + manifest.layers { _ = try self.blob(blob, in: .unnamed) }
        }
    }

    /// A manifest's media type from its own bytes, as registries answer it: its `mediaType`, else an OCI index
    /// when it lists manifests, else an OCI image manifest.
    static func mediaType(of bytes: [UInt8]) -> String {
        struct Probe: Decodable { var mediaType: String?; var manifests: [Descriptor]? }
        let probe = try? CanonicalJSON.decode(Probe.self, from: bytes, what: "manifest")
        return probe?.mediaType ?? (probe?.manifests != nil ? MediaType.imageIndex : MediaType.imageManifest)
    }
}
