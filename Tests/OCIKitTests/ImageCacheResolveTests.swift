import Foundation
import Testing
import TestSupport
@testable import OCIKit

/// Resolving registry images from the blob cache (issue 25): a copy with the network leaves the image's manifests
/// and its tag's record in the cache; then a digest-pinned image needs no registry, and offline a tag resolves as
/// it did then. The copies are read back with skopeo.
@Suite struct ImageCacheResolveTests {
    let image = TestImage.shared
    let reader = Credential.password(username: "reader", password: "reader-pass")
    let amd64 = PlatformChoice.only(Platform(architecture: "amd64"))

    func resolver(_ cache: BlobCache?, offline: Bool = false) -> ImageResolver {
        var options = RegistryOptions()
        options.plainHTTP = true
        return ImageResolver(registryOptions: options, cache: cache, offline: offline)
    }

    /// Copies the image once with the network into an archive: the cache then holds it whole.
    func warm(_ dir: TemporaryDirectory) throws -> BlobCache {
        let cache = BlobCache(directory: dir.file("cache"))
        let spec = try ImageSourceSpec(parsing: "\(image.upstream):v1", relativeTo: dir.path)
        let online = try resolver(cache).resolve(spec, platform: amd64, credential: reader)
        #expect(online.source is RegistrySource)
        _ = try Copier.mirror(online, to: LayoutArchiveDestination(path: dir.file("online.tar"), mtime: 0), repository: "engine")
        return cache
    }

    @Test func aTagResolvesOfflineAndADigestWithoutAnyNetwork() throws {
        let dir = try TemporaryDirectory()
        let cache = try warm(dir)
        let amd = try #require(image.summary.platforms["linux/amd64"])
        let tagged = try ImageSourceSpec(parsing: "\(image.upstream):v1", relativeTo: dir.path)
        let offline = try resolver(cache, offline: true).resolve(tagged, platform: amd64)
        #expect(offline.source is CachedImageSource && offline.descriptor.digest.string == amd.manifest && offline.topDigest.string == image.summary.index)
        #expect(offline.size == amd.size && offline.platforms.count == 2 && offline.tag == "v1")
        _ = try Copier.mirror(offline, to: LayoutArchiveDestination(path: dir.file("offline.tar"), mtime: 0), repository: "engine")
        #expect(FileManager.default.contents(atPath: dir.file("offline.tar")) == FileManager.default.contents(atPath: dir.file("online.tar")))

        // Pinned by the index's digest or the platform's: read from the cache though the network is allowed.
        for pin in [image.summary.index, amd.manifest] {
            let pinned = try ImageSourceSpec(parsing: "\(image.upstream)@\(pin)", relativeTo: dir.path)
            let resolved = try resolver(cache).resolve(pinned, platform: amd64)  // no credential: the registry would refuse
            #expect(resolved.source is CachedImageSource && resolved.descriptor.digest.string == amd.manifest, "\(pin)")
            let archive = dir.file("pinned-\(pin.suffix(6)).tar")
            _ = try Copier.mirror(resolved, to: LayoutArchiveDestination(path: archive, mtime: 0), repository: "engine")
            let copied = try run("skopeo", ["copy", "-q", "oci-archive:\(archive):engine:sha256-\(pin.dropFirst("sha256:".count))", "oci:\(dir.file("out")):x"])
            #expect(copied.succeeded, "\(copied.stderr)")
        }
        // Every platform was not downloaded: the whole index is not in the cache, so it goes to the registry.
        let all = try resolver(cache).resolve(try ImageSourceSpec(parsing: "\(image.upstream)@\(image.summary.index)", relativeTo: dir.path),
                                              platform: .all, credential: reader)
        #expect(all.source is RegistrySource)
    }

    @Test func offlineAMissingPieceIsNamedWithWhatToDo() throws {
        let dir = try TemporaryDirectory()
        let tagged = try ImageSourceSpec(parsing: "\(image.upstream):v1", relativeTo: dir.path)
        let empty = try #require(throws: OCIError.self) { try resolver(BlobCache(directory: dir.file("empty")), offline: true).resolve(tagged, platform: amd64) }
        #expect(empty.message == "image \(image.upstream):v1: its tag v1 was never resolved with the network here (no record in the blob cache)")
        #expect(empty.obstacle == .imageNotCached(image: tagged.description))
        let none = try #require(throws: OCIError.self) { try resolver(nil, offline: true).resolve(tagged, platform: amd64) }
        #expect(none.message.hasSuffix("the blob cache is off") && none.obstacle == .imageNotCached(image: tagged.description))

        let cache = try warm(dir)
        let arm = try #require(throws: OCIError.self) {
            try resolver(cache, offline: true).resolve(tagged, platform: .only(Platform(architecture: "arm64")))
        }
        let armManifest = try #require(image.summary.platforms["linux/arm64"]).manifest
        #expect(arm.message == "image \(image.upstream):v1: its manifest \(armManifest) is not in the blob cache", "\(arm)")
        let all = try #require(throws: OCIError.self) { try resolver(cache, offline: true).resolve(tagged, platform: .all) }
        #expect(all.message.hasSuffix("is not in the blob cache") && all.obstacle == .imageNotCached(image: tagged.description), "\(all)")
    }
}
