import ArgumentParser
import EdgepackKit
import Foundation
import OCIKit

/// --no-mirror and --all-platforms: whether and how the engine and sidekick images travel with the pipeline.
struct ImageOptions: ParsableArguments {
    @Flag(help: "Do not copy the engine and sidekick images; reference them where they are (the site must reach them).")
    var noMirror = false

    @Flag(help: "Copy every platform of a multi-platform engine image, not only deployment.arch's.")
    var allPlatforms = false

    /// What finds the images to copy (nil with --no-mirror). Source credentials come from
    /// EDGEPACK_SOURCE_USERNAME/_PASSWORD, docker's config.json and credential helpers; never the destination's.
    func gatherer(noCache: Bool, digests: DigestCache, registryOptions: RegistryOptions = ImageOptions.sourceRegistryOptions(),
                  offline: Bool = false) -> ImageGatherer? {
        guard !noMirror else { return nil }
        var options = registryOptions
        options.plainHTTP = false  // a loopback source falls back to HTTP by itself; another host must speak HTTPS
        let resolver = ImageResolver(registryOptions: options, cache: noCache ? nil : EdgepackEnvironment.current.blobCache(digests: digests), offline: offline)
        let credentials = EdgepackEnvironment.current.credentials()
        return ImageGatherer(resolver: resolver, allPlatforms: allPlatforms) { host in try credentials.sourceCredential(for: host) }
    }

    static func sourceRegistryOptions() -> RegistryOptions {
        EdgepackEnvironment.current.registryOptions(userAgent: "edgepack/\(EdgepackVersion.string)")
    }
}

/// --offline, for the commands that read images but write nowhere else (build, export, render).
struct OfflineOption: ParsableArguments {
    @Flag(help: "Use no network for images: each comes from its local source or the blob cache (a tag as it last resolved with the network).")
    var offline = false

    func check(_ cache: CacheOptions) throws {
        if offline && cache.noCache { throw ValidationError("--offline reads images from the blob cache: drop --no-cache") }
    }
}

/// Says on stderr, for an offline build, when each image's tag was resolved (the time is the cache's alone: it
/// never goes into what is built).
func noteCachedTags(_ build: PipelineBuild) {
    let cache = EdgepackEnvironment.current.blobCache()
    for image in build.release.images {
        guard let reference = try? ImageReference(parsing: image.source), reference.digest == nil, let record = cache.cachedTag(of: reference) else { continue }
        FileHandle.standardError.write(Data(MessageText.escaped("note: \(image.source) is \(record.digest) as resolved at \(record.resolvedAt) (read from the blob cache, no network)").utf8 + [10]))
    }
}

/// Says on stderr, once, which images were read from the blob cache alone: the signatures and referrers their
/// source may hold beside them were not looked for, so they are not carried (an honest gap: they are not cached).
func noteUpstreamNotLookedFor(_ build: PipelineBuild) {
    let names = build.release.images.filter { !$0.upstreamLookedFor }.map(\.source)
    guard !names.isEmpty else { return }
    let text = "note: \(names.joined(separator: ", ")) read from the blob cache: signatures and referrers beside \(names.count == 1 ? "it" : "them") in the source registry were not looked for and are not carried (with the network, --no-cache reads them)"
    FileHandle.standardError.write(Data(MessageText.escaped(text).utf8 + [10]))
}

/// Says on stderr where the engine comes from when it does not travel with the pipeline.
func noteUnmirroredImages(_ build: PipelineBuild) {
    guard build.release.images.isEmpty else { return }
    var names = [build.release.engine.image]
    names += build.release.deployment.sidekicks.compactMap(\.image).filter { !names.contains($0) }
    let list = names.joined(separator: ", ")
    FileHandle.standardError.write(Data("note: images not mirrored (engine.mirror: false or --no-mirror): the site must reach \(list) itself\n".utf8))
}
