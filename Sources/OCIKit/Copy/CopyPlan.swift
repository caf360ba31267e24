/// What one copy does, worked out before any byte moves: every manifest read once from the source and checked
/// against its descriptor, every blob once (by digest) with the repositories that need it in first-use order,
/// and the manifests in the order they must be written (an index's children before the index, items in the
/// order given).
struct CopyPlan {
    struct BlobNeed: Sendable {
        var descriptor: Descriptor
        var source: SourceKey
        var repositories: [Repository]
    }

    struct ManifestStep: Sendable {
        var blob: Blob
        var repository: Repository
        var tag: String?
        /// The config and layers it references (none for an index).
        var blobs: [Digest] = []
        /// Whether its item may be written beside its unordered neighbours (`CopyItem.ordered`).
        var ordered = true
        var isIndex = false
    }

    /// Every repository the copy writes to, in first-use order.
    var repositories: [Repository] {
        var seen = Set<Repository>()
        return manifests.map(\.repository).filter { seen.insert($0).inserted }
    }

    private(set) var blobs: [BlobNeed] = []
    private(set) var manifests: [ManifestStep] = []
    private var blobIndex: [Digest: Int] = [:]
    private var planned = Set<PlannedManifest>()

    /// A manifest already planned for a repository under a tag (nil: by digest).
    private struct PlannedManifest: Hashable {
        var repository: Repository
        var digest: Digest
        var tag: String?
    }

    init(_ items: [CopyItem], source: any ContentSource) throws {
        for item in items {
            try Cancellation.check()
            // Whatever produced the names (a bundle's index, a manifest, a caller), they stay under the prefix.
            _ = try ReferenceName(parsing: "\(item.repository):\(item.tag ?? "latest")")
            try add(item.descriptor, from: item.source, to: Repository(unchecked: item.repository), tag: item.tag, ordered: item.ordered, source: source, depth: 0)
        }
    }

    private mutating func add(_ descriptor: Descriptor, from sourceKey: SourceKey, to repository: Repository, tag: String?,
                              ordered: Bool, source: any ContentSource, depth: Int) throws {
        guard depth < 8 else { throw OCIError(.invalidLayout, "manifest \(descriptor.digest) nests indexes too deeply") }
        guard planned.insert(PlannedManifest(repository: repository, digest: descriptor.digest, tag: tag)).inserted else { return }
        let bytes = try source.part(sourceKey.part).manifestBytes(descriptor, in: sourceKey.repository)
        let actual = SHA256Hasher.digest(bytes)
        guard actual == descriptor.digest, Int64(bytes.count) == descriptor.size else {
            throw OCIError(.digestMismatch, "manifest \(descriptor.digest) read from the source hashes to \(actual) (\(bytes.count) bytes, \(descriptor.size) expected); refusing it")
        }
        var blobs: [Digest] = []
        let content = try ManifestContent(bytes, mediaType: descriptor.mediaType)
        switch content {
        case .index(let index):
            for child in index.manifests {
                try add(child, from: sourceKey, to: repository, tag: nil, ordered: ordered, source: source, depth: depth + 1)
            }
        case .manifest(let manifest):
            for blob in [manifest.config] + manifest.layers {
                try need(blob, from: sourceKey, in: repository)
                blobs.append(blob.digest)
            }
        }
        var isIndex = false
        if case .index = content { isIndex = true }
        manifests.append(ManifestStep(blob: Blob(descriptor: descriptor, content: .bytes(bytes)), repository: repository, tag: tag, blobs: blobs,
                                      ordered: ordered, isIndex: isIndex))
    }

    private mutating func need(_ descriptor: Descriptor, from sourceKey: SourceKey, in repository: Repository) throws {
        guard let index = blobIndex[descriptor.digest] else {
            blobIndex[descriptor.digest] = blobs.count
            blobs.append(BlobNeed(descriptor: descriptor, source: sourceKey, repositories: [repository]))
            return
        }
        guard blobs[index].descriptor.size == descriptor.size else {
            throw OCIError(.sizeMismatch, "blob \(descriptor.digest) is described with two sizes (\(blobs[index].descriptor.size) and \(descriptor.size))")
        }
        if !blobs[index].repositories.contains(repository) { blobs[index].repositories.append(repository) }
    }
}

/// A manifest's bytes decoded as what they are: an image manifest or an index.
enum ManifestContent {
    case manifest(Manifest)
    case index(Index)

    init(_ bytes: [UInt8], mediaType: String) throws {
        struct Probe: Decodable { var manifests: [Descriptor]? }
        let isIndex = MediaType.isIndex(mediaType)
            || (try? CanonicalJSON.decode(Probe.self, from: bytes, what: "manifest"))?.manifests != nil
        self = isIndex ? .index(try CanonicalJSON.decode(Index.self, from: bytes, what: "index"))
                       : .manifest(try CanonicalJSON.decode(Manifest.self, from: bytes, what: "manifest"))
    }
}
