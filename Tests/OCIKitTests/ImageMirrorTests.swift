import Foundation
import Testing
import TestSupport
@testable import OCIKit

private let reader = Credential.password(username: "reader", password: "reader-pass")

private func resolver(cache: BlobCache?) -> ImageResolver {
    var options = RegistryOptions()
    options.plainHTTP = true
    return ImageResolver(registryOptions: options, cache: cache)
}

private func rawDigest(_ reference: String) throws -> Digest {
    let raw = try run("skopeo", ["inspect", "--raw", "--tls-verify=false", "--creds", "reader:reader-pass", reference])
    guard raw.succeeded else { throw TestFailure("skopeo inspect \(reference): \(raw.stderr)") }
    return SHA256Hasher.digest(Array(raw.stdout.utf8))
}

private func downloaded(_ image: ResolvedImage) -> Int64 {
    (image.source as? RegistrySource)?.client.counters.downloadedBytes ?? -1
}

@Suite struct ImageMirrorTests {
    let image = TestImage.shared

    @Test func onePlatformFromATokenSourceRegistryKeepsItsDigest() throws {
        let dir = try TemporaryDirectory()
        let spec = try ImageSourceSpec(parsing: "\(image.upstream):v1", relativeTo: dir.path)
        let resolved = try resolver(cache: BlobCache(directory: dir.file("cache"))).resolve(spec, platform: .only(Platform(architecture: "arm64")), credential: reader)
        let destination = RegistryDestination(client: try connectToTokenRegistry(), prefixPath: uniquePrefix("mirror"))
        let mirrored = try Copier.mirror(resolved, to: destination, repository: "engine")
        let arm = try #require(image.summary.platforms["linux/arm64"])
        #expect(mirrored.digest.string == arm.manifest && mirrored.tag == "v1" && mirrored.platform?.architecture == "arm64")
        #expect(mirrored.size == arm.size && mirrored.platforms.count == 2 && mirrored.summary.blobsCopied == 4)
        let target = "docker://\(TestRegistries.shared.token)/\(mirrored.repository):v1"
        #expect(try rawDigest(target).string == arm.manifest)
        let out = try run("skopeo", ["copy", "-q", "--src-tls-verify=false", "--src-creds", "reader:reader-pass", target, "oci:\(dir.file("out")):x"])
        #expect(out.succeeded, "\(out.stderr)")
    }

    @Test func theWholeIndexPinnedByDigestGetsAShaTag() throws {
        let dir = try TemporaryDirectory()
        let spec = try ImageSourceSpec(parsing: "\(image.upstream)@\(image.summary.index)", relativeTo: dir.path)
        let resolved = try resolver(cache: nil).resolve(spec, platform: .all, credential: reader)
        let destination = RegistryDestination(client: try connectToTokenRegistry(), prefixPath: uniquePrefix("index"))
        let mirrored = try Copier.mirror(resolved, to: destination, repository: "engine")
        #expect(mirrored.tag == "sha256-" + image.summary.index.dropFirst("sha256:".count))
        #expect(mirrored.digest.string == image.summary.index && mirrored.size == image.summary.size && mirrored.summary.manifestsWritten == 3)
        #expect(try rawDigest("docker://\(TestRegistries.shared.token)/\(mirrored.repository):\(mirrored.tag)").string == image.summary.index)
        let out = try run("skopeo", ["copy", "-q", "--all", "--src-tls-verify=false", "--src-creds", "reader:reader-pass",
                                     "docker://\(TestRegistries.shared.token)/\(mirrored.repository):\(mirrored.tag)", "oci:\(dir.file("out")):x"])
        #expect(out.succeeded, "\(out.stderr)")
    }

    @Test func noMatchingPlatformNamesThePlatformsItHas() throws {
        let spec = try ImageSourceSpec(parsing: "\(image.upstream):v1", relativeTo: ".")
        let error = try #require(throws: OCIError.self) {
            try resolver(cache: nil).resolve(spec, platform: .only(Platform(architecture: "ppc64le")), credential: reader)
        }
        #expect(error.message == "image \(image.upstream):v1: it has no linux/ppc64le image; it has linux/amd64, linux/arm64", "\(error)")
    }

    @Test func anUnknownTagOrMissingCredentialsNameTheImage() throws {
        let unknown = try ImageSourceSpec(parsing: "\(image.upstream):nope", relativeTo: ".")
        let missing = try #require(throws: OCIError.self) { try resolver(cache: nil).resolve(unknown, platform: .all, credential: reader) }
        #expect(missing.code == .notFound && missing.message.hasPrefix("image \(image.upstream):nope: ") && missing.obstacle == .imageUnreadable(image: unknown.description), "\(missing)")
        let anonymous = try #require(throws: OCIError.self) {
            try resolver(cache: nil).resolve(try ImageSourceSpec(parsing: "\(image.upstream):v1", relativeTo: "."), platform: .all)
        }
        #expect(anonymous.message.hasPrefix("image \(image.upstream):v1: ") && !anonymous.message.contains("pass"), "\(anonymous)")
        let unreachable = try #require(throws: OCIError.self) {
            try resolver(cache: nil).resolve(try ImageSourceSpec(parsing: "127.0.0.1:1/engine:v1", relativeTo: "."), platform: .all)
        }
        #expect(unreachable.code == .network && unreachable.obstacle == .imageUnreadable(image: "127.0.0.1:1/engine:v1"), "\(unreachable)")
    }

    /// Re-mirroring uploads nothing; mirroring elsewhere from a warm cache downloads nothing.
    @Test func remirrorUploadsNothingAndTheCacheSparesDownloads() throws {
        let dir = try TemporaryDirectory()
        let cache = dir.file("cache")
        let spec = try ImageSourceSpec(parsing: "\(image.upstream):v1", relativeTo: dir.path)
        let client = try connectToTokenRegistry()
        let first = RegistryDestination(client: client, prefixPath: uniquePrefix("again")), second = RegistryDestination(client: client, prefixPath: uniquePrefix("cached"))
        let cold = try resolver(cache: BlobCache(directory: cache)).resolve(spec, platform: .only(Platform(architecture: "amd64")), credential: reader)
        let made = try Copier.mirror(cold, to: first, repository: "engine")
        #expect(made.summary.blobsCopied == 4 && downloaded(cold) > 0)

        let again = try Copier.mirror(try resolver(cache: BlobCache(directory: cache)).resolve(spec, platform: .only(Platform(architecture: "amd64")), credential: reader),
                                      to: first, repository: "engine")
        #expect(again.summary.bytesCopied == 0 && again.summary.blobsExisting == 4 && again.summary.manifestsWritten == 0)

        let warm = try resolver(cache: BlobCache(directory: cache)).resolve(spec, platform: .only(Platform(architecture: "amd64")), credential: reader)
        let copied = try Copier.mirror(warm, to: second, repository: "engine")
        #expect(copied.summary.blobsCopied == 4 && copied.summary.bytesCopied > 0)
        #expect(downloaded(warm) == 0)
        #expect(try rawDigest("docker://\(TestRegistries.shared.token)/\(copied.repository):v1") == made.digest)
    }

    @Test func aSourceInTheSameRegistryIsMountedNotDownloaded() throws {
        let dir = try TemporaryDirectory()
        let client = try connectToTokenRegistry()
        let spec = try ImageSourceSpec(parsing: "\(image.local):v1", relativeTo: dir.path)
        let resolved = try resolver(cache: BlobCache(directory: dir.file("cache"))).resolve(spec, platform: .only(Platform(architecture: "amd64")),
                                                                                           credential: .password(username: "edgepack", password: "edgepack-pass"))
        let mirrored = try Copier.mirror(resolved, to: RegistryDestination(client: client, prefixPath: uniquePrefix("same")), repository: "engine")
        #expect(mirrored.summary.blobsMounted == 4 && mirrored.summary.blobsCopied == 0 && downloaded(resolved) == 0)
        #expect(try rawDigest("docker://\(TestRegistries.shared.token)/\(mirrored.repository):v1").string == image.summary.platforms["linux/amd64"]?.manifest)
    }

    /// oci-archive: and oci: need no registry; the mirror can be an archive skopeo reads.
    @Test func fromLayoutsIntoAnArchive() throws {
        let dir = try TemporaryDirectory()
        let base = image.directory
        let amd = try #require(image.summary.platforms["linux/amd64"])
        for (number, text) in ["oci-archive:image.tar:v1", "oci:oci"].enumerated() {
            let resolved = try resolver(cache: nil).resolve(try ImageSourceSpec(parsing: text, relativeTo: base), platform: .only(Platform(architecture: "amd64")))
            let archive = dir.file("out-\(number).tar")
            let mirrored = try Copier.mirror(resolved, to: LayoutArchiveDestination(path: archive, mtime: 0), repository: "engine")
            #expect(mirrored.digest.string == amd.manifest && mirrored.tag == "v1")
            #expect(try rawDigest("oci-archive:\(archive):engine:v1").string == amd.manifest)
        }
        let all = try resolver(cache: nil).resolve(try ImageSourceSpec(parsing: "oci-archive:image.tar", relativeTo: base), platform: .all)
        #expect(all.descriptor.digest.string == image.summary.index && all.platforms.map(\.description) == ["linux/amd64", "linux/arm64"])
    }

    /// docker save output becomes an OCI manifest over the same config and layers, with a stable digest.
    @Test func aDockerArchiveBecomesAStableDockerImage() throws {
        let dir = try TemporaryDirectory()
        let spec = try ImageSourceSpec(parsing: "docker-archive:docker.tar", relativeTo: image.directory)
        let resolved = try resolver(cache: nil).resolve(spec, platform: .only(Platform(architecture: "amd64")))
        #expect(resolved.descriptor.mediaType == MediaType.imageManifest && resolved.tag == "v1" && resolved.platform?.architecture == "amd64")
        #expect(try resolver(cache: nil).resolve(spec, platform: .all).descriptor == resolved.descriptor)
        let wrongPlatform = try #require(throws: OCIError.self) { try resolver(cache: nil).resolve(spec, platform: .only(Platform(architecture: "arm64"))) }
        #expect(wrongPlatform.message.contains("linux/amd64 image only"), "\(wrongPlatform)")

        let destination = RegistryDestination(client: try connectToTokenRegistry(), prefixPath: uniquePrefix("docker"))
        let mirrored = try Copier.mirror(resolved, to: destination, repository: "engine")
        let target = "docker://\(TestRegistries.shared.token)/\(mirrored.repository):v1"
        #expect(try rawDigest(target) == resolved.descriptor.digest)
        let config = try run("skopeo", ["inspect", "--tls-verify=false", "--creds", "reader:reader-pass", "--config", "--raw", target])
        #expect(SHA256Hasher.digest(Array(config.stdout.utf8)).string == image.summary.docker_archive.config, "\(config.stderr)")
        let out = try run("skopeo", ["copy", "-q", "--src-tls-verify=false", "--src-creds", "reader:reader-pass", target, "oci:\(dir.file("out")):x"])
        #expect(out.succeeded, "\(out.stderr)")
        let bundle = dir.file("bundle.tar")
        _ = try Copier.mirror(resolved, to: LayoutArchiveDestination(path: bundle, mtime: 0), repository: "engine")
        #expect(try rawDigest("oci-archive:\(bundle):engine:v1") == resolved.descriptor.digest)
    }
}

@Suite struct ImageMirrorRetryTests {
    /// Blobs stream from the download to the upload as they arrive; a dropped download goes on (a `Range`
    /// request) and the upload (which waits for the bytes) still completes with the right digest.
    @Test func aDroppedDownloadGoesOnUnderAStreamingUpload() throws {
        let image = TestImage.shared
        let dir = try TemporaryDirectory()
        let registries = TestRegistries.shared
        let repository = image.local.split(separator: "/", maxSplits: 1)[1]
        try registries.injectFaults(status: "drop", count: 2, method: "GET", match: "/\(repository)/blobs/")
        let spec = try ImageSourceSpec(parsing: "\(registries.flaky)/\(repository):v1", relativeTo: dir.path)
        let resolved = try resolver(cache: BlobCache(directory: dir.file("cache")))
            .resolve(spec, platform: .only(Platform(architecture: "arm64")), credential: reader)
        var options = RegistryOptions()
        options.plainHTTP = true
        let other = try RegistryClient.connect(host: TestRegistries.source.token, credential: .password(username: "edgepack", password: "edgepack-pass"), options: options)
        let mirrored = try Copier.mirror(resolved, to: RegistryDestination(client: other, prefixPath: uniquePrefix("retry")), repository: "engine")
        #expect(mirrored.digest.string == image.summary.platforms["linux/arm64"]?.manifest && mirrored.summary.blobsCopied == 4)
        #expect((resolved.source as? RegistrySource)?.client.counters.retries ?? 0 >= 1)
        #expect(try rawDigest("docker://\(TestRegistries.source.token)/\(mirrored.repository):v1") == mirrored.digest)
    }
}
