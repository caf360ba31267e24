import Foundation
import Testing
import TestSupport
@testable import OCIKit

/// Files that hold user content before it is published (scratch layer tars, the digest cache, cached blobs) are
/// readable by their owner only.
@Suite struct ScratchFileModeTests {
    private func mode(_ path: String) throws -> Int {
        try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    @Test func theDigestCacheIsPrivate() throws {
        let dir = try TemporaryDirectory()
        let model = try dir.write("model.onnx", "weights")
        let cache = DigestCache(location: dir.file("cache/digests"))
        _ = try FileDigester(cache: cache).digest(file: model)
        cache.save()
        #expect(try mode(dir.file("cache/digests")) == 0o600)
    }

    @Test func aStagedLayerTarAndACachedBlobArePrivate() throws {
        let dir = try TemporaryDirectory()
        _ = try dir.write("model/weights.bin", "layer bytes")
        let layer = BlobContent.directoryTar(path: dir.file("model"), options: TarOptions())
        let tar = try layer.digest()
        let staged = try StagedBlob(Blob(descriptor: Descriptor(mediaType: "application/vnd.oci.image.layer.v1.tar", digest: tar.digest, size: tar.size),
                                         content: layer), digester: nil)
        defer { staged.remove() }
        guard case .file(let path) = staged.blob.content else { Issue.record("a directory's tar was not staged"); return }
        #expect(try mode(path) == 0o600)
        let blob = Blob(mediaType: "application/octet-stream", bytes: Array("layer bytes".utf8))
        let cache = BlobCache(directory: dir.file("blobs"))
        _ = try cache.store(blob.descriptor) { sink in try blob.write(verifiedTo: sink) }
        #expect(try mode(try #require(cache.lookup(blob.descriptor))) == 0o600)
    }
}
