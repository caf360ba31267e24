import Foundation

/// An image found and checked, ready to copy: the source to read it from and the manifest (or index) to copy.
public struct ResolvedImage: Sendable {
    public let spec: ImageSourceSpec
    public let source: any ContentSource
    /// The manifest copied: the chosen platform's own manifest, the whole index, or the single image's.
    public let descriptor: Descriptor
    /// Where the source holds it (a registry repository; layouts and archives ignore it).
    public let sourceRepository: Repository
    /// The tag a mirror gets by default: the source's tag, `sha256-HEX` for a source pinned only by digest.
    public let tag: String
    /// The platform copied (from the index entry, or a single image's config); nil when unknown or for `.all`.
    public let platform: Platform?
    /// Every platform of the source's index (empty when the source is a single image).
    public let platforms: [Platform]
    /// Bytes copied at most: every manifest, config and layer once.
    public let size: Int64
    /// What the source reference names: the index an entry was chosen from, else `descriptor`'s digest.
    public let topDigest: Digest

    /// What the copier copies, into `repository` of the destination, under `tag` (default: `self.tag`).
    public func copyItem(repository: String, tag: String? = nil) -> CopyItem {
        CopyItem(descriptor: descriptor, sourceRepository: sourceRepository, repository: repository, tag: tag ?? self.tag)
    }
}

/// Finds an image from where `ImageSourceSpec` says it is, and picks what to copy of it: from an index (OCI
/// index or Docker manifest list) the manifest of one platform, byte for byte (so its digest is the source's),
/// or the whole index. Registry sources download into `cache` (nil: a temporary directory for this run).
public struct ImageResolver: Sendable {
    public var registryOptions: RegistryOptions
    public var cache: BlobCache?
    /// No network: a registry image comes from the cache (a tag as it last resolved there), or not at all.
    public var offline: Bool

    public init(registryOptions: RegistryOptions = RegistryOptions(), cache: BlobCache? = nil, offline: Bool = false) {
        self.registryOptions = registryOptions
        self.cache = cache
        self.offline = offline
    }

    /// `credential` is used for a registry source (the caller finds it for the source's host).
    public func resolve(_ spec: ImageSourceSpec, platform choice: PlatformChoice, credential: Credential = .anonymous) throws -> ResolvedImage {
        do {
            return try resolveUnlabelled(spec, choice, credential)
        } catch let error as OCIError {
            // A source registry's refusal is about the source's credentials, never the destination's: it is
            // worded here (the refusal is not passed on, so nothing advises the destination's login).
            var obstacle = error.obstacle ?? (Self.sourceProblems.contains(error.code) ? .imageUnreadable(image: spec.description) : nil)
            if case .credentialsNeeded(let host) = obstacle { obstacle = .sourceCredentialsNeeded(host: host) }
            if let refusal = error.refusal, refusal.reason != .accessDenied { obstacle = .sourceCredentialsNeeded(host: refusal.host) }
            throw OCIError(error.code, "image \(spec): \(error.message)", cause: error.cause, obstacle: obstacle)
        }
    }

    private static let sourceProblems: Set<OCIError.Code> = [.network, .notFound, .registry]

    private func resolveUnlabelled(_ spec: ImageSourceSpec, _ choice: PlatformChoice, _ credential: Credential) throws -> ResolvedImage {
        switch spec {
        case .registry(let reference):
            if let cached = try resolveFromCache(spec, reference, choice) { return cached }
            let (host, name) = Self.endpoint(reference)
            let repository = try Repository(validating: name)
            let client = try RegistryClient.connect(host: host, credential: credential, options: registryOptions)
            let source = RegistrySource(client: client, cache: cache)
            let (bytes, blob) = try client.fetchManifestBytes(reference.digest.map(ManifestReference.digest) ?? .tag(reference.tag!), in: repository)
            source.remember(bytes, as: blob.descriptor.digest)
            let top = Descriptor(mediaType: blob.descriptor.mediaType, digest: blob.descriptor.digest, size: blob.descriptor.size)
            let resolved = try choose(spec, source, top, repository, choice, tag: spec.mirrorTag!)
            keepInCache(resolved, top: top, reference: reference)
            return resolved
        case .ociArchive(let path, let reference):
            let bundle = try ImageLayoutBundle(path: try path.resolved())
            let (entry, tag) = try Self.entry(in: bundle.index, reference: reference, what: spec.description)
            return try choose(spec, bundle, entry, .unnamed, choice, tag: spec.mirrorTag ?? tag)
        case .ociLayout(let path, let reference):
            let layout = try LayoutDirectorySource(directory: try path.resolved())
            let (entry, tag) = try Self.entry(in: layout.index, reference: reference, what: spec.description)
            return try choose(spec, layout, entry, .unnamed, choice, tag: spec.mirrorTag ?? tag)
        case .dockerArchive(let path, let reference):
            let archive = try DockerArchive(path: try path.resolved(), reference: reference)
            let tag = spec.mirrorTag ?? Self.tag(ofName: archive.repoTags.first)
            return try choose(spec, archive.source, archive.manifest.descriptor, .unnamed, choice, tag: tag)
        }
    }

    /// `docker.io/engine` is served by `registry-1.docker.io` as `library/engine`.
    public static func endpoint(_ reference: ImageReference) -> (host: String, repository: String) {
        guard reference.registry == "docker.io" || reference.registry == "index.docker.io" else { return (reference.registry, reference.repository) }
        return ("registry-1.docker.io", reference.repository.contains("/") ? reference.repository : "library/" + reference.repository)
    }

    /// The tag part of `name:tag` or `tag` if it is a valid tag, else `latest`.
    static func tag(ofName name: String?) -> String {
        name.flatMap { $0.split(separator: ":").last.map(String.init) }.flatMap { ImageSourceSpec.isValidTag($0) ? $0 : nil } ?? "latest"
    }

    /// A layout's index entry: the one named `reference`, or its only entry; with the tag its name implies.
    static func entry(in index: Index, reference: String?, what: String) throws -> (Descriptor, tag: String) {
        let names = index.manifests.compactMap { $0.annotations?[AnnotationKey.refName] }
        let entry: Descriptor
        if let reference {
            guard let found = index.manifests.first(where: { $0.annotations?[AnnotationKey.refName] == reference }) else {
                throw OCIError(.notFound, "no image named \(reference) in the layout; it has \(names.isEmpty ? "no named images" : names.joined(separator: ", "))")
            }
            entry = found
        } else {
            guard index.manifests.count == 1 else {
                throw OCIError(.invalidLayout, index.manifests.isEmpty ? "the layout holds no image"
                    : "the layout holds \(index.manifests.count) images (\(names.joined(separator: ", "))); name one after the path, e.g. \(what):\(names.first ?? "REF")")
            }
            entry = index.manifests[0]
        }
        return (Descriptor(mediaType: entry.mediaType, digest: entry.digest, size: entry.size), tag(ofName: entry.annotations?[AnnotationKey.refName]))
    }

    func choose(_ spec: ImageSourceSpec, _ source: any ContentSource, _ top: Descriptor, _ repository: Repository,
                        _ choice: PlatformChoice, tag: String) throws -> ResolvedImage {
        let bytes = try Self.checkedManifest(source, top, repository)
        switch try ManifestContent(bytes, mediaType: top.mediaType) {
        case .index(let index):
            let platforms = index.manifests.compactMap(\.platform).filter { $0.os != "unknown" }
            switch choice {
            case .all:
                return ResolvedImage(spec: spec, source: source, descriptor: top, sourceRepository: repository, tag: tag, platform: nil,
                                     platforms: platforms, size: try Self.size(source, top, repository), topDigest: top.digest)
            case .only(let wanted):
                let candidates = index.manifests.filter { $0.platform.map(wanted.accepts) ?? false }
                guard let child = candidates.first(where: { $0.platform?.variant == wanted.variant }) ?? candidates.first else {
                    let has = platforms.map(\.description)
                    throw OCIError(.notFound, "it has no \(wanted) image; it has \(has.isEmpty ? "no platforms listed" : has.joined(separator: ", "))")
                }
                let chosen = Descriptor(mediaType: child.mediaType, digest: child.digest, size: child.size)
                return ResolvedImage(spec: spec, source: source, descriptor: chosen, sourceRepository: repository, tag: tag, platform: child.platform,
                                     platforms: platforms, size: try Self.size(source, chosen, repository), topDigest: top.digest)
            }
        case .manifest(let manifest):
            let platform = try Self.platform(of: manifest, source, repository)
            if case .only(let wanted) = choice, let platform, !wanted.accepts(platform) {
                throw OCIError(.notFound, "it is a \(platform) image only; it has no \(wanted) image")
            }
            return ResolvedImage(spec: spec, source: source, descriptor: top, sourceRepository: repository, tag: tag, platform: platform,
                                 platforms: [], size: try Self.size(source, top, repository), topDigest: top.digest)
        }
    }

    /// What an image already in a source is: its platform (a single image's, from its config), the platforms of
    /// an index, and its size (every manifest, config and layer once).
    public static func describe(_ descriptor: Descriptor, in source: any ContentSource, repository: Repository = .unnamed) throws
        -> (platform: Platform?, platforms: [Platform], size: Int64) {
        let size = try size(source, descriptor, repository)
        switch try ManifestContent(try checkedManifest(source, descriptor, repository), mediaType: descriptor.mediaType) {
        case .index(let index):
            return (nil, index.manifests.compactMap(\.platform).filter { $0.os != "unknown" }, size)
        case .manifest(let manifest):
            return (try platform(of: manifest, source, repository), [], size)
        }
    }

    /// The config digest of an image, or of each image of an index.
    public static func configs(of descriptor: Descriptor, in source: any ContentSource, repository: Repository = .unnamed) throws -> [Digest] {
        switch try ManifestContent(try checkedManifest(source, descriptor, repository), mediaType: descriptor.mediaType) {
        case .index(let index): try index.manifests.flatMap { try configs(of: $0, in: source, repository: repository) }
        case .manifest(let manifest): [manifest.config.digest]
        }
    }

    static func checkedManifest(_ source: any ContentSource, _ descriptor: Descriptor, _ repository: Repository) throws -> [UInt8] {
        let bytes = try source.manifestBytes(descriptor, in: repository)
        guard SHA256Hasher.digest(bytes) == descriptor.digest, Int64(bytes.count) == descriptor.size else {
            throw OCIError(.digestMismatch, "manifest \(descriptor.digest) read from the source does not match its digest")
        }
        return bytes
    }

    /// The platform an image's config names (nil for configs that are not image configs).
    static func platform(of manifest: Manifest, _ source: any ContentSource, _ repository: Repository) throws -> Platform? {
        guard [MediaType.imageConfig, "application/vnd.docker.container.image.v1+json"].contains(manifest.config.mediaType), manifest.config.size <= 4 << 20 else { return nil }
        let sink = MemorySink()
        try source.blob(manifest.config, in: repository).write(verifiedTo: sink)
        struct Config: Decodable { var architecture: String?; var os: String?; var variant: String? }
        guard let config = try? CanonicalJSON.decode(Config.self, from: sink.bytes, what: "image config"), let architecture = config.architecture,
              !architecture.isEmpty else { return nil }
        return Platform(os: config.os ?? "linux", architecture: architecture, variant: config.variant)
    }

    /// Every manifest, config and layer under `descriptor`, each counted once.
    static func size(_ source: any ContentSource, _ descriptor: Descriptor, _ repository: Repository) throws -> Int64 {
        var seen = Set<Digest>()
        func walk(_ descriptor: Descriptor, depth: Int) throws -> Int64 {
            guard depth < 8, seen.insert(descriptor.digest).inserted else { return 0 }
            switch try ManifestContent(try checkedManifest(source, descriptor, repository), mediaType: descriptor.mediaType) {
            case .index(let index):
                return try index.manifests.reduce(descriptor.size) { $0 + (try walk($1, depth: depth + 1)) }
            case .manifest(let manifest):
                return ([manifest.config] + manifest.layers).reduce(descriptor.size) { total, blob in
                    seen.insert(blob.digest).inserted ? total + blob.size : total
                }
            }
        }
        return try walk(descriptor, depth: 0)
    }
}
