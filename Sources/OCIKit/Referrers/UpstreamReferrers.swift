/// The OCI referrers of an image where it came from (an SBOM, a scan, a signature attached with `subject`), so
/// that a mirror carries them. Each subject's referrers travel as one index, the referrers tag schema's
/// (`sha256-HEX` beside the image, listing them): copied under that tag, it is what a registry without the
/// referrers API (distribution 2.8) lists, what a bundle holds as a ref name, and what a site receives; a
/// registry with the API also indexes each manifest by its `subject` as it is pushed.
/// Held in memory within the same bounds as the cosign images (`UpstreamSignatures`): 64 manifests, 64 MiB.
public struct UpstreamReferrers: Sendable {
    /// The index that lists `subject`'s referrers, stored under `tag`.
    public struct Listing: Sendable, Equatable {
        public var subject: Digest
        public var index: Descriptor
        public var tag: String { ReferrersIndex.tag(for: subject) }

        public init(subject: Digest, index: Descriptor) {
            self.subject = subject
            self.index = index
        }
    }

    public var listings: [Listing]
    /// Where the indexes, the referrer manifests and their blobs are read from, and the repository there.
    public var content: any ContentSource
    public var sourceRepository: Repository
    /// Every index, manifest and blob, for progress totals.
    public var size: Int64

    public init(listings: [Listing] = [], content: any ContentSource = ArtifactSource(blobs: []), sourceRepository: Repository = .unnamed, size: Int64 = 0) {
        self.listings = listings
        self.content = content
        self.sourceRepository = sourceRepository
        self.size = size
    }

    public var isEmpty: Bool { listings.isEmpty }

    /// What `client` lists as referrers of `subjects` in `repository` (the API, else the fallback tag), read
    /// whole. A listing the source will not show is passed over; a manifest whose `subject` is not the one it
    /// was listed for, or that is no image manifest, is left out; more than the bounds is refused.
    public static func find(for subjects: [Digest], in client: RegistryClient, repository: String) throws -> UpstreamReferrers {
        var blobs: [Blob] = [], listings: [Listing] = [], manifests = 0, held: Int64 = 0
        func hold(_ size: Int64) throws {
            held += max(size, 0)
            guard held <= Int64(UpstreamSignatures.maximumTotalBytes) else {
                throw OCIError(.unsupported, "has more than \(UpstreamSignatures.maximumTotalBytes >> 20) MiB of referrers; refusing to carry them")
            }
        }
        for subject in subjects {
            let listed: [Descriptor]
            do {
                listed = try client.referrers(of: subject, in: repository)
            } catch let error as OCIError where [.notFound, .unauthorized, .denied, .invalidJSON].contains(error.code) {
                continue  // none shown, or a `sha256-HEX` tag that is no referrers index (an image mirrored by digest)
            }
            var kept: [Descriptor] = []
            for entry in listed.sorted(by: { $0.digest.string < $1.digest.string }) where entry.mediaType == MediaType.imageManifest {
                manifests += 1
                guard manifests <= UpstreamSignatures.maximumDigests else {
                    throw OCIError(.unsupported, "has more than \(UpstreamSignatures.maximumDigests) referrers; refusing to carry them")
                }
                try hold(entry.size)
                let fetched = try client.fetchManifestBytes(.digest(entry.digest), in: Repository(unchecked: repository))
                let manifest = try CanonicalJSON.decode(Manifest.self, from: fetched.bytes, what: "referrer \(entry.digest)")
                guard manifest.subject?.digest == subject else { continue }
                var parts: [Blob] = []
                for descriptor in [manifest.config] + manifest.layers where !blobs.contains(where: { $0.descriptor.digest == descriptor.digest }) {
                    try hold(descriptor.size)
                    parts.append(Blob(descriptor: descriptor, content: .bytes(try client.smallBlob(descriptor, in: repository))))
                }
                blobs += parts + [Blob(descriptor: Descriptor(mediaType: entry.mediaType, digest: entry.digest, size: entry.size), content: .bytes(fetched.bytes))]
                kept.append(entry)
            }
            guard !kept.isEmpty else { continue }
            let index = Blob(mediaType: MediaType.imageIndex, bytes: try CanonicalJSON.encode(Index(manifests: kept)))
            try hold(index.descriptor.size)
            blobs.append(index)
            listings.append(Listing(subject: subject, index: index.descriptor))
        }
        return UpstreamReferrers(listings: listings, content: ArtifactSource(blobs: blobs), size: held)
    }

    /// What a copy of the image under `imageTag` into `repository` also copies, read from `part` of a combined
    /// source: each index under its tag (`tagged`: a bundle or layout), else each referrer manifest by digest (a
    /// registry, where `list` then makes them listed). A listing whose tag is the image's own (an image pinned
    /// only by that digest is mirrored under `sha256-HEX` too) is left out: the image keeps its tag.
    public func copyItems(repository: String, imageTag: String, part: String, tagged: Bool = true) throws -> [CopyItem] {
        try carried(besides: imageTag).flatMap { listing -> [CopyItem] in
            guard !tagged else {
                return [CopyItem(descriptor: listing.index, sourceRepository: sourceRepository, repository: repository, tag: listing.tag).reading(from: part)]
            }
            return try referrers(in: listing).map {
                CopyItem(descriptor: $0, sourceRepository: sourceRepository, repository: repository, tag: nil).reading(from: part)
            }
        }
    }

    /// After their copy into a registry: each referrer listed among its subject's there, as a client attaching it
    /// does (a registry with the referrers API lists it itself; else the `sha256-HEX` index there is read, the
    /// referrer added, and written back, keeping what it listed).
    public func list(in client: RegistryClient, repository: String, imageTag: String) throws {
        for listing in carried(besides: imageTag) {
            for descriptor in try referrers(in: listing) {
                let bytes = try content.manifestBytes(descriptor, in: sourceRepository)
                let manifest = try CanonicalJSON.decode(Manifest.self, from: bytes, what: "referrer \(descriptor.digest)")
                try client.attachReferrer(Blob(descriptor: Descriptor(mediaType: descriptor.mediaType, digest: descriptor.digest, size: descriptor.size),
                                               content: .bytes(bytes)), manifest: manifest, in: repository)
            }
        }
    }

    func carried(besides imageTag: String) -> [Listing] { listings.filter { $0.tag != imageTag } }

    /// The referrers an index lists.
    func referrers(in listing: Listing) throws -> [Descriptor] {
        try CanonicalJSON.decode(Index.self, from: try content.manifestBytes(listing.index, in: sourceRepository), what: "referrers index \(listing.tag)").manifests
    }
}

extension ResolvedImage {
    /// The referrers its source registry holds for what is copied (none for layouts and archives, nor for an
    /// image read from the blob cache). A failure names the image.
    public func upstreamReferrers() throws -> UpstreamReferrers {
        try fromSourceRegistry(none: UpstreamReferrers()) { client, subjects in
            try UpstreamReferrers.find(for: subjects, in: client, repository: sourceRepository.path)
        }
    }
}
