import OCIKit

/// What one copy of a build moves: its artifacts (and what goes beside them, such as signatures) and the
/// images the release carries, each image read from its own source, all in one plan and one commit.
public struct ReleaseCopy: Sendable {
    public var source: any ContentSource
    /// Images first, then the artifacts in order: nothing is tagged that names an engine not yet there.
    public var items: [CopyItem]
    /// Every blob once, for progress totals.
    public var bytes: Int64

    /// `absent`: blobs the artifacts reference but do not carry (a delta bundle's), which the destination must hold.
    /// `referrerTags`: the images' referrers go as their `sha256-HEX` indexes (a bundle, a layout); false, as
    /// manifests by digest alone, which the publisher then lists there (a registry: `UpstreamReferrers.list`).
    public init(_ build: PipelineBuild, artifacts: [Artifact]? = nil, absent: Set<Digest> = [], referrerTags: Bool = true) throws {
        let artifacts = artifacts ?? build.artifacts
        var parts: [String: any ContentSource] = ["": ArtifactSource(artifacts, absent: absent)]
        var items: [CopyItem] = []
        for (position, image) in build.release.images.enumerated() {
            let part = "image\(position)"
            parts[part] = image.content
            items.append(image.copyItem(part: part))
            parts["referrers\(position)"] = image.referrers.content
            items += try image.referrers.copyItems(repository: image.repository, imageTag: image.tag, part: "referrers\(position)", tagged: referrerTags)
        }
        source = CombinedSource(parts)
        // Models reference none of each other: their manifests may go at once; the rest keep their order.
        let models = Set(build.models.map(\.artifact.reference))
        self.items = items + artifacts.map { CopyItem($0, ordered: !models.contains($0.reference)) }
        bytes = build.transferBytes(of: artifacts)
    }

    /// Copies it all into `destination`.
    @discardableResult
    public func copy(to destination: any ContentDestination, concurrency: Int = Copier.defaultConcurrency,
                     onEvent: (@Sendable (CopyEvent) -> Void)? = nil) throws -> CopySummary {
        try Copier(from: source, to: destination, concurrency: concurrency, onEvent: onEvent).copy(items)
    }

    /// Every blob's size (manifests included), each once.
    public static func artifactBytes(_ artifacts: [Artifact]) -> Int64 {
        var seen = Set<Digest>()
        return artifacts.flatMap { [$0.config] + $0.layers }.reduce(0) { sum, blob in
            seen.insert(blob.descriptor.digest).inserted ? sum + blob.descriptor.size : sum
        }
    }
}

extension PipelineBuild {
    /// The configs of the images the release carries (each platform's): a bundle keeps them even as a delta, so
    /// that `push` and `inspect` can tell what each image is.
    public func imageConfigs() throws -> Set<Digest> {
        Set(try release.images.flatMap { try ImageResolver.configs(of: $0.descriptor, in: $0.content, repository: $0.sourceRepository) })
    }

    /// The mirrored images' manifests, to sign beside the build's own.
    public var imageManifests: [SignedManifest] {
        release.images.map { SignedManifest(repository: $0.repository, digest: $0.digest) }
    }
}
