import OCIKit

/// Finds the images a definition runs (the engine, each sidekick with an image) where their sources say, for
/// the platform of their `arch` (or every platform), so that the release can carry them.
public struct ImageGatherer: Sendable {
    public var resolver: ImageResolver
    public var allPlatforms: Bool
    /// The credential for a source registry's host.
    public var credential: @Sendable (String) throws -> Credential

    public init(resolver: ImageResolver, allPlatforms: Bool = false, credential: @escaping @Sendable (String) throws -> Credential = { _ in .anonymous }) {
        self.resolver = resolver
        self.allPlatforms = allPlatforms
        self.credential = credential
    }

    /// Every image to mirror; none when the definition turns mirroring off (`engine.mirror: false`).
    public func images(for definition: PipelineDefinition) throws -> [PipelineImage] {
        guard definition.engine.mirror else { return [] }
        var wanted = [(PipelineImage.Role.engine, definition.engine.image, definition.engine.source, definition.deployment.arch)]
        for sidekick in definition.deployment.sidekicks {
            guard let image = sidekick.image else { continue }
            wanted.append((.sidekick(model: sidekick.model), image, sidekick.source, sidekick.arch))
        }
        return try wanted.map { role, name, source, arch in
            try image(role: role, name: name, source: source, arch: arch, baseDirectory: definition.baseDirectory)
        }
    }

    func image(role: PipelineImage.Role, name: String, source: String?, arch: Architecture, baseDirectory: String) throws -> PipelineImage {
        let spec = try ImageSourceSpec(parsing: source ?? name, relativeTo: baseDirectory)
        let choice: PlatformChoice = allPlatforms ? .all : .only(arch.platform)
        var credential = Credential.anonymous
        if case .registry(let reference) = spec { credential = try self.credential(ImageResolver.endpoint(reference).host) }
        let resolved = try resolver.resolve(spec, platform: choice, credential: credential)
        if let pinned = try? ImageReference(parsing: name).digest, source != nil,
           resolved.descriptor.digest != pinned, resolved.topDigest != pinned {
            throw OCIError(.digestMismatch, "image \(name) pins \(pinned), but its source \(spec) holds \(resolved.descriptor.digest); point the source at that image")
        }
        return PipelineImage(role: role, name: name, source: source ?? name, tag: PipelineImage.mirrorTag(of: name),
                             descriptor: resolved.descriptor, platform: resolved.platform, platforms: resolved.platforms,
                             size: resolved.size, content: resolved.source, sourceRepository: resolved.sourceRepository,
                             signatures: try resolved.upstreamSignatures(), referrers: try resolved.upstreamReferrers(), upstreamLookedFor: !resolved.isFromCache)
    }
}

extension Architecture {
    /// The OCI platform a Wallaroo architecture runs: x86 → linux/amd64, arm → linux/arm64, power10 → linux/ppc64le.
    public var platform: Platform {
        switch self {
        case .x86: Platform(architecture: "amd64")
        case .arm: Platform(architecture: "arm64")
        case .power10: Platform(architecture: "ppc64le")
        }
    }
}
