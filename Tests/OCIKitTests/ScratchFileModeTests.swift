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
        let blob = Blob(mediaType: "application/octet-stream", bytes: Array("layer bytes".utf8))
        let staged = StagedBlob(blob)
        defer { staged.remove() }
        #expect(try mode(try staged.path()) == 0o600)
        let cache = BlobCache(directory: dir.file("blobs"))
        _ = try cache.store(blob.descriptor) { sink in try blob.write(verifiedTo: sink) }
        #expect(try mode(try #require(cache.lookup(blob.descriptor))) == 0o600)
    }
}
