/// What a mirror put where.
public struct MirroredImage: Sendable, Equatable {
    /// The destination's name for the repository (a registry's includes its prefix).
    public var repository: String
    public var tag: String
    /// The digest copied: the source's platform manifest, or its index (all platforms).
    public var digest: Digest
    public var mediaType: String
    public var platform: Platform?
    public var platforms: [Platform]
    /// Every manifest, config and layer of the image, counted once.
    public var size: Int64
    /// Where it came from, as given.
    public var source: String
    /// What moved (zero bytes when the destination had it all).
    public var summary: CopySummary
}

extension Copier {
    /// Copies a resolved image into `repository` of `destination` under `tag` (default: the source's tag),
    /// digests preserved; blobs the destination has are skipped, blobs in the same registry are mounted.
    public static func mirror(_ image: ResolvedImage, to destination: any ContentDestination, repository: String, tag: String? = nil,
                              concurrency: Int = Copier.defaultConcurrency, onEvent: (@Sendable (CopyEvent) -> Void)? = nil) throws -> MirroredImage {
        let item = image.copyItem(repository: repository, tag: tag)
        let summary = try Copier(from: image.source, to: destination, concurrency: concurrency, onEvent: onEvent).copy([item])
        return MirroredImage(repository: destination.displayName(Repository(unchecked: repository)), tag: item.tag!, digest: image.descriptor.digest,
                             mediaType: image.descriptor.mediaType, platform: image.platform, platforms: image.platforms,
                             size: image.size, source: image.spec.description, summary: summary)
    }
}
