import OCIKit

/// An image the pipeline runs — its engine, a sidekick's container — copied into the release: the registry's
/// `PREFIX/engine:TAG` and `PREFIX/sidekicks/MODEL:TAG`, the bundle's `engine:TAG` and `sidekicks/MODEL:TAG`.
public struct PipelineImage: Sendable {
    public enum Role: Sendable, Hashable {
        case engine
        case sidekick(model: String)
    }

    public var role: Role
    /// The image as the pipeline names it (`engine.image`, a sidekick's `image`).
    public var name: String
    /// Where its bytes were read from, as written (`engine.source`, else the name).
    public var source: String
    /// The mirror's tag: the name's tag, `sha256-HEX` for a name pinned only by digest.
    public var tag: String
    /// The manifest copied (the platform's own, or the index with every platform), digest as the source's.
    public var descriptor: Descriptor
    public var platform: Platform?
    public var platforms: [Platform]
    /// Every manifest, config and layer, each once.
    public var size: Int64
    /// Where to read it from, and its repository there.
    public var content: any ContentSource
    public var sourceRepository: Repository
    /// The cosign signatures, attestations and SBOMs found beside it where it came from, carried with it.
    public var signatures = UpstreamSignatures()
    /// The OCI referrers found of it there (an SBOM, a scan attached with `subject`), carried with it.
    public var referrers = UpstreamReferrers()
    /// False for an image read from the blob cache alone: what its source holds beside it was not looked for.
    public var upstreamLookedFor = true

    /// The repository under the registry prefix (or the bundle's ref name without the tag).
    public var repository: String {
        switch role {
        case .engine: "engine"
        case .sidekick(let model): "sidekicks/\(model)"
        }
    }

    public var digest: Digest { descriptor.digest }

    /// What the copier copies: the image into its repository under its tag, read from `part` of a combined source.
    func copyItem(part: String) -> CopyItem {
        CopyItem(descriptor: descriptor, sourceRepository: sourceRepository, repository: repository, tag: tag).reading(from: part)
    }

    /// Where a registry (prefix) holds the mirror.
    public func location(in layout: RegistryLayout) -> ImageLocation {
        ImageLocation(repository: layout.name(of: repository), tag: tag, digest: digest)
    }

    /// The tag a mirror of `name` gets: its tag, `sha256-HEX` when pinned only by digest, else `latest`.
    static func mirrorTag(of name: String) -> String {
        guard let reference = try? ImageReference(parsing: name) else { return "latest" }
        return reference.tag ?? reference.digest.map { "\($0.algorithm)-\($0.encoded)" } ?? "latest"
    }
}

/// Where an image is run from: its repository, tag and (when known) digest.
public struct ImageLocation: Sendable, Equatable {
    public var repository: String
    public var tag: String?
    public var digest: Digest?
    /// What run commands and compose name: the digest when known (what runs is what was published), else the tag.
    public var reference: String

    public init(repository: String, tag: String?, digest: Digest?) {
        self.repository = repository
        self.tag = tag
        self.digest = digest
        reference = digest.map { "\(repository)@\($0)" } ?? "\(repository):\(tag ?? "latest")"
    }

    /// An image referenced where it lives, exactly as written.
    public init(asWritten name: String) {
        let parsed = try? ImageReference(parsing: name)
        repository = parsed?.nameAsWritten ?? name
        tag = parsed?.tag
        digest = parsed?.digest
        reference = name
    }

    /// `REPOSITORY:TAG`: the record's `engine_url`.
    public var tagged: String { "\(repository):\(tag ?? "latest")" }
}

extension Release {
    /// The mirrored engine, when the release carries it.
    public var engineImage: PipelineImage? { images.first { $0.role == .engine } }

    /// Where the engine runs from for a registry: its mirror there, or where `engine.image` names it.
    public func engineLocation(in layout: RegistryLayout) -> ImageLocation {
        engineImage?.location(in: layout) ?? ImageLocation(asWritten: engine.image)
    }

    /// Where a sidekick's container runs from (nil when it has no image of its own).
    public func sidekickLocation(_ sidekick: Sidekick, in layout: RegistryLayout) -> ImageLocation? {
        guard let image = sidekick.image else { return nil }
        return images.first { $0.role == .sidekick(model: sidekick.model) }?.location(in: layout) ?? ImageLocation(asWritten: image)
    }
}
