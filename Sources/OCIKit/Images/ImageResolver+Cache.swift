import Foundation

/// Resolving a registry image from the blob cache: a digest-pinned image the cache holds whole needs no
/// network at all; offline, a tag is what it last resolved to with the network (its `CachedTag`).
extension ImageResolver {
    /// `HOST/REPOSITORY:TAG`, the key of a tag's record (the host and repository the registry is asked for).
    static func tagKey(_ reference: ImageReference) -> String? {
        guard let tag = reference.tag else { return nil }
        let (host, repository) = endpoint(reference)
        return "\(host)/\(repository):\(tag)"
    }

    /// The image read from the cache alone, or nil when the network should be asked (a tag while online, or a
    /// digest whose pieces are not all cached). Offline, a missing piece is an error naming it.
    func resolveFromCache(_ spec: ImageSourceSpec, _ reference: ImageReference, _ choice: PlatformChoice) throws -> ResolvedImage? {
        guard let cache else {
            guard !offline else { throw OCIError(.notFound, "it cannot be read with no network: the blob cache is off", obstacle: .imageNotCached(image: spec.description)) }
            return nil
        }
        let (host, name) = Self.endpoint(reference)
        let repository = try Repository(validating: name)
        let source = CachedImageSource(cache: cache, origin: BlobOrigin(host: host, repository: repository), image: spec.description)
        do {
            let top: Descriptor
            if let digest = reference.digest {
                guard let bytes = cache.manifestBytes(digest) else { throw source.missing("its manifest \(digest) is not in the blob cache") }
                top = Descriptor(mediaType: CachedImageSource.mediaType(of: bytes), digest: digest, size: Int64(bytes.count))
            } else if offline, let key = Self.tagKey(reference) {
                guard let record = cache.cachedTag(key) else {
                    throw source.missing("its tag \(reference.tag ?? "") was never resolved with the network here (no record in the blob cache)")
                }
                top = record.descriptor
            } else {
                return nil
            }
            let resolved = try choose(spec, source, top, repository, choice, tag: spec.mirrorTag!)
            try source.requireWhole(resolved.descriptor)
            return resolved
        } catch let error as OCIError where error.obstacle == .imageNotCached(image: spec.description) && !offline {
            return nil  // not all there: the registry has it
        }
    }

    /// After a resolve with the network: the manifests read (the reference's own and every one under what is
    /// copied) go into the cache, and a tag's record says where it pointed and when. Best effort: a cache that
    /// cannot be written only means the next run asks the registry again.
    func keepInCache(_ resolved: ResolvedImage, top: Descriptor, reference: ImageReference) {
        guard let cache else { return }
        func read(_ descriptor: Descriptor) -> [UInt8]? { try? resolved.source.manifestBytes(descriptor, in: resolved.sourceRepository) }
        if let bytes = read(top) { try? cache.storeManifest(bytes, as: top.digest) }
        var pending = [resolved.descriptor], seen = Set<Digest>()
        while let descriptor = pending.popLast() {
            guard seen.insert(descriptor.digest).inserted, seen.count <= 64, let bytes = read(descriptor) else { continue }
            try? cache.storeManifest(bytes, as: descriptor.digest)
            if case .index(let index)? = try? ManifestContent(bytes, mediaType: descriptor.mediaType) { pending += index.manifests }
        }
        if reference.digest == nil, let key = Self.tagKey(reference) { try? cache.recordTag(key, as: top) }
    }
}

extension ResolvedImage {
    /// Read from the blob cache alone: its registry was not asked, so its signatures and referrers were not looked for.
    public var isFromCache: Bool { source is CachedImageSource }
}
