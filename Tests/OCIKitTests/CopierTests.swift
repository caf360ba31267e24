import Foundation
import Testing
import TestSupport
@testable import OCIKit

/// A source that hands out other bytes (of the same size) than its descriptors promise for one blob.
struct LyingSource: ContentSource {
    let honest: ArtifactSource
    let liesAbout: Digest

    func manifestBytes(_ descriptor: Descriptor, in repository: Repository) throws -> [UInt8] {
        try honest.manifestBytes(descriptor, in: repository)
    }

    func blob(_ descriptor: Descriptor, in repository: Repository) throws -> Blob {
        guard descriptor.digest == liesAbout else { return try honest.blob(descriptor, in: repository) }
        return Blob(descriptor: descriptor, content: .bytes(Array(repeating: UInt8(ascii: "x"), count: Int(descriptor.size))))
    }
}

/// Plain HTTP to the harness's token registry, as the pusher account.
func connectToTokenRegistry() throws -> RegistryClient {
    var options = RegistryOptions()
    options.plainHTTP = true
    return try RegistryClient.connect(host: TestRegistries.shared.token, credential: .password(username: "edgepack", password: "edgepack-pass"), options: options)
}

func uniquePrefix(_ label: String) -> String { "copier/\(label)-\(UUID().uuidString.prefix(8).lowercased())" }

@Suite struct CopierTests {
    /// build -> registry -> layout directory -> archive -> registry: every manifest keeps its digest, and the
    /// archive made from the registry's copy is byte-identical to one made straight from the build.
    @Test func everySourceAndDestinationPairKeepsTheBytes() throws {
        let dir = try TemporaryDirectory()
        let artifacts = [try sampleArtifact(dir, name: "one"), try sampleArtifact(dir, name: "two", content: "other weights")]
        let client = try connectToTokenRegistry()
        let first = uniquePrefix("first"), second = uniquePrefix("second")

        try Copier.copy(artifacts, to: RegistryDestination(client: client, prefixPath: first))
        let items = artifacts.map { CopyItem(descriptor: $0.manifestBlob.descriptor, sourceRepository: Repository(unchecked: first).appending($0.repository), repository: $0.repository, tag: $0.tag) }
        let fromRegistry = RegistrySource(client: client, cache: BlobCache(directory: dir.file("blobs")))
        try Copier(from: fromRegistry, to: try LayoutDirectoryDestination(directory: dir.file("layout"))).copy(items)

        let layout = try LayoutDirectorySource(directory: dir.file("layout"))
        let layoutItems = layout.index.manifests.map { entry in
            let reference = entry.annotations![AnnotationKey.refName]!
            let (repository, tag) = Artifact.split(reference)
            return CopyItem(descriptor: entry, sourceRepository: Repository(unchecked: repository), repository: repository, tag: tag)
        }
        try Copier(from: layout, to: LayoutArchiveDestination(path: dir.file("via-registry.tar"), mtime: 0)).copy(layoutItems)
        try Copier.copy(artifacts, to: LayoutArchiveDestination(path: dir.file("direct.tar"), mtime: 0))
        #expect(FileManager.default.contentsEqual(atPath: dir.file("via-registry.tar"), andPath: dir.file("direct.tar")))

        let bundle = try ImageLayoutBundle(path: dir.file("via-registry.tar"))
        try Copier(from: bundle, to: RegistryDestination(client: client, prefixPath: second)).copy(layoutItems)
        for artifact in artifacts {
            #expect(try client.manifestDigest(.tag(artifact.tag), in: Repository(unchecked: "\(second)/\(artifact.repository)")) == artifact.manifestBlob.descriptor.digest)
        }
    }

    @Test func anIndexIsCopiedAfterItsChildrenWithItsDigest() throws {
        let dir = try TemporaryDirectory()
        let amd = try sampleArtifact(dir, name: "amd64"), arm = try sampleArtifact(dir, name: "arm64", content: "arm weights")
        let index = Index(manifests: [amd.manifestBlob.descriptor, arm.manifestBlob.descriptor])
        let indexBlob = Blob(mediaType: MediaType.imageIndex, bytes: try CanonicalJSON.encode(index))
        let source = ArtifactSource(blobs: [indexBlob] + [amd, arm].flatMap { [$0.manifestBlob, $0.config] + $0.layers })
        let client = try connectToTokenRegistry()
        let prefix = uniquePrefix("index")
        let item = CopyItem(descriptor: indexBlob.descriptor, sourceRepository: Repository(unchecked: "engine"), repository: "engine", tag: "v1")
        let summary = try Copier(from: source, to: RegistryDestination(client: client, prefixPath: prefix)).copy([item])
        #expect(summary.manifestsWritten == 3)
        #expect(try client.manifestDigest(.tag("v1"), in: Repository(unchecked: "\(prefix)/engine")) == indexBlob.descriptor.digest)
        #expect(try client.manifestDigest(.digest(arm.manifestBlob.descriptor.digest), in: Repository(unchecked: "\(prefix)/engine")) == arm.manifestBlob.descriptor.digest)
        let raw = try run("skopeo", ["inspect", "--raw", "--tls-verify=false", "--creds", "reader:reader-pass", "docker://\(TestRegistries.shared.token)/\(prefix)/engine:v1"])
        #expect(SHA256Hasher.digest(Array(raw.stdout.utf8)) == indexBlob.descriptor.digest, "\(raw.stderr)")
    }

    /// A second copy moves nothing; a copy into another repository of the same registry mounts.
    @Test func presentBlobsAreSkippedAndOtherRepositoriesMount() throws {
        let dir = try TemporaryDirectory()
        let artifact = try sampleArtifact(dir)
        let client = try connectToTokenRegistry()
        let destination = RegistryDestination(client: client, prefixPath: uniquePrefix("mount"))
        let first = try Copier.copy([artifact], to: destination)
        #expect(first.blobsCopied == 2 && first.manifestsWritten == 1)
        let again = try Copier.copy([artifact], to: destination)
        #expect(again.blobsCopied == 0 && again.blobsExisting == 2 && again.manifestsWritten == 0)
        var elsewhere = artifact
        elsewhere.reference = "mirror/demo:v1"
        let both = try Copier(from: ArtifactSource([artifact]), to: destination).copy([CopyItem(artifact), CopyItem(elsewhere)])
        #expect(both.blobsMounted == 2 && both.blobsCopied == 0)
    }

    /// Existence checks, manifests and small blobs wait on round trips, not bandwidth: with one blob stream
    /// allowed they still go several at a time, while large blobs keep to the one stream.
    @Test func smallRequestsGoSeveralAtOnceWhileLargeBlobsKeepTheirLimit() throws {
        let dir = try TemporaryDirectory()
        let small = try (0..<8).map { try sampleArtifact(dir, name: "small\($0)", content: "weights \($0)") }
        let large = try (0..<2).map { try sampleArtifact(dir, name: "large\($0)", content: String(repeating: "\($0)", count: 3 << 20)) }
        let prefix = uniquePrefix("requests-at-once"), registries = TestRegistries.shared
        try registries.setQuirks(["latency": "0.05"], match: "/v2/\(prefix)/")
        var options = RegistryOptions()
        options.plainHTTP = true
        let client = try RegistryClient.connect(host: registries.quirky, credential: .password(username: "edgepack", password: "edgepack-pass"), options: options)
        let summary = try Copier(from: ArtifactSource(small + large), to: RegistryDestination(client: client, prefixPath: prefix), concurrency: 1)
            .copy((small + large).map { CopyItem($0, ordered: false) })
        #expect(summary.blobsCopied == 20 && summary.manifestsWritten == 10)
        let most = try registries.mostInFlight(match: "/v2/\(prefix)/")
        #expect(most["manifests"] ?? 0 >= 2, "manifest requests went one at a time: \(most)")
        #expect(most["large bodies"] == 1, "large blobs did not keep to one stream: \(most)")
    }

    /// A small blob that fails stops the large ones from starting (they would otherwise all be sent first).
    @Test func aFailingSmallBlobStopsTheLargeOnesFromStarting() throws {
        let dir = try TemporaryDirectory()
        let small = try sampleArtifact(dir, name: "small", content: "small weights")
        let large = try (0..<4).map { try sampleArtifact(dir, name: "big\($0)", content: String(repeating: "\($0)", count: 3 << 20)) }
        let prefix = uniquePrefix("stop-on-failure"), registries = TestRegistries.shared
        try registries.setQuirks(["latency": "0.3"], match: "/v2/\(prefix)/models/big")
        try registries.injectFaults(status: "400", count: 1, method: "POST", match: "/v2/\(prefix)/models/small/", proxy: registries.quirky)
        var options = RegistryOptions()
        options.plainHTTP = true
        let client = try RegistryClient.connect(host: registries.quirky, credential: .password(username: "edgepack", password: "edgepack-pass"), options: options)
        let destination = RegistryDestination(client: client, prefixPath: prefix)
        #expect(throws: (any Error).self) {
            try Copier(from: ArtifactSource(large + [small]), to: destination, concurrency: 1).copy((large + [small]).map { CopyItem($0, ordered: false) })
        }
        let sent = try large.filter { try destination.hasBlob($0.layers[0].descriptor, in: Repository(unchecked: $0.repository)) }
        #expect(sent.count <= 2, "\(sent.count) of 4 large blobs were sent after the small one failed")
    }

    @Test(arguments: ["layout", "archive", "registry", "files"])
    func aSourceThatLiesIsRefusedByEveryDestination(kind: String) throws {
        let dir = try TemporaryDirectory()
        let artifact = try sampleArtifact(dir, content: "honest weights")
        let source = LyingSource(honest: ArtifactSource([artifact]), liesAbout: artifact.layers[0].descriptor.digest)
        let client = try connectToTokenRegistry()
        let prefix = uniquePrefix("lie")
        let destination: any ContentDestination = switch kind {
        case "layout": try LayoutDirectoryDestination(directory: dir.file("out"))
        case "archive": LayoutArchiveDestination(path: dir.file("out"), mtime: 0)
        case "files": try FileTreeDestination(directory: dir.file("out"), placements: [artifact.layers[0].descriptor.digest: [.init(path: "model.bin")]],
                                              isReplaceable: { _ in false })
        default: RegistryDestination(client: client, prefixPath: prefix)
        }
        let error = try #require(throws: OCIError.self) { try Copier(from: source, to: destination).copy([CopyItem(artifact)]) }
        #expect(error.code == .digestMismatch, "\(error)")
        if kind == "registry" {
            #expect(try client.manifestDigest(.tag(artifact.tag), in: Repository(unchecked: "\(prefix)/\(artifact.repository)")) == nil)
            #expect(try client.blobSize(artifact.layers[0].descriptor.digest, in: Repository(unchecked: "\(prefix)/\(artifact.repository)")) == nil)
        } else {
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["demo.bin"])
        }
    }

    @Test func aManifestThatDoesNotMatchItsDescriptorIsRefused() throws {
        let dir = try TemporaryDirectory()
        let artifact = try sampleArtifact(dir)
        var wrong = CopyItem(artifact)
        wrong.descriptor.digest = artifact.config.descriptor.digest
        wrong.descriptor.size = artifact.config.descriptor.size
        let source = ArtifactSource(blobs: [Blob(descriptor: wrong.descriptor, content: artifact.manifestBlob.content)])
        let error = try #require(throws: OCIError.self) {
            try Copier(from: source, to: LayoutArchiveDestination(path: dir.file("out.tar"), mtime: 0)).copy([wrong])
        }
        #expect(error.code == .digestMismatch)
        #expect(!FileStatus.exists(dir.file("out.tar")))
    }
}
