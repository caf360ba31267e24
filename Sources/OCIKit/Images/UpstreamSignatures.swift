/// The cosign signatures, attestations and SBOMs stored beside an image where it came from (cosign's tag schema:
/// `sha256-HEX.sig`, `.att`, `.sbom` in the image's own repository), so that a mirror carries its vendor's
/// signatures with it. They are carried as found, unverified: whoever checks the image checks them, with the
/// vendor's key. Each is bounded as any cosign image read from elsewhere (`Cosign.maximumLayers`, `maximumLayerSize`).
public struct UpstreamSignatures: Sendable, Equatable {
    /// One cosign image: its tag (`sha256-HEX.sig` …) and its layers, held in memory.
    public struct Image: Sendable, Equatable {
        public var tag: String
        public var layers: [CosignLayer]

        public init(tag: String, layers: [CosignLayer]) {
            self.tag = tag
            self.layers = layers
        }
    }

    public var images: [Image]

    public init(images: [Image] = []) {
        self.images = images
    }

    public var isEmpty: Bool { images.isEmpty }

    /// The layers at `tag`, nil when there is no such image.
    public func layers(tag: String) -> [CosignLayer]? {
        images.first { $0.tag == tag }?.layers
    }

    /// Bounds on what a source may hand over, all images together: a hostile index cannot make edgepack hold more.
    static let maximumDigests = 64
    static let maximumTotalBytes = 64 << 20

    /// The tags cosign stores beside a manifest's digest.
    public static func tags(for digest: Digest) -> [String] {
        ["sig", "att", "sbom"].map { "\(digest.algorithm)-\(digest.encoded).\($0)" }
    }

    /// What `source` holds beside `digests` in `repository`. A tag the source does not have, or will not show
    /// (denied, unauthorized), is passed over: an image without signatures is still copied.
    public static func find(for digests: [Digest], in source: any ReferenceSource, repository: String) throws -> UpstreamSignatures {
        var images: [Image] = [], held = 0
        guard digests.count <= maximumDigests else {
            throw OCIError(.unsupported, "lists \(digests.count) manifests; at most \(maximumDigests) have their signatures carried")
        }
        for digest in digests {
            for tag in tags(for: digest) {
                do {
                    if let layers = try source.cosignLayers(tag: tag, in: repository) {
                        // Each image is bounded on its own; all of them together are held in memory too.
                        held += layers.reduce(0) { $0 + $1.payload.count }
                        guard held <= maximumTotalBytes else {
                            throw OCIError(.unsupported, "holds more than \(maximumTotalBytes >> 20) MiB of signatures and attestations; refusing to carry them")
                        }
                        images.append(Image(tag: tag, layers: layers))
                    }
                } catch let error as OCIError where [.notFound, .unauthorized, .denied].contains(error.code) {
                    continue
                }
            }
        }
        return UpstreamSignatures(images: images)
    }

    /// The digests whose signatures go with a copy of `descriptor`: its own, and for an index each manifest's
    /// it lists (a multi-platform copy carries every platform's signatures).
    public static func signedDigests(of descriptor: Descriptor, in source: any ContentSource, repository: Repository) throws -> [Digest] {
        guard MediaType.isIndex(descriptor.mediaType) else { return [descriptor.digest] }
        guard case .index(let index) = try ManifestContent(try ImageResolver.checkedManifest(source, descriptor, repository), mediaType: descriptor.mediaType) else {
            return [descriptor.digest]
        }
        return [descriptor.digest] + index.manifests.map(\.digest)
    }
}

extension ResolvedImage {
    /// The signatures its source registry holds for what is copied (none for layouts and archives). A failure
    /// names the image; a local copy of it (which carries none) is the way around a source's unreadable ones.
    public func upstreamSignatures() throws -> UpstreamSignatures {
        try fromSourceRegistry(none: UpstreamSignatures()) { client, digests in
            try UpstreamSignatures.find(for: digests, in: client, repository: sourceRepository.path)
        }
    }

    /// What `find` reads of the source registry beside the copied digests (`none` for a source that is no
    /// registry), a failure naming the image.
    func fromSourceRegistry<Found>(none: Found, _ find: (RegistryClient, [Digest]) throws -> Found) throws -> Found {
        guard let registry = source as? RegistrySource else { return none }
        do {
            return try find(registry.client, try UpstreamSignatures.signedDigests(of: descriptor, in: source, repository: sourceRepository))
        } catch let error as OCIError {
            throw OCIError(error.code, "image \(spec): \(error.message)", cause: error.cause,
                           obstacle: error.obstacle ?? .imageUnreadable(image: spec.description), refusal: error.refusal)
        }
    }
}
