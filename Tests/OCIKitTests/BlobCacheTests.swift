import Foundation
import Testing
import TestSupport
@testable import OCIKit

@Suite struct BlobCacheTests {
    private func blob(_ text: String) -> Blob { Blob(mediaType: "application/octet-stream", bytes: Array(text.utf8)) }

    private func store(_ cache: BlobCache, _ blob: Blob) throws {
        _ = try cache.store(blob.descriptor) { sink in try blob.write(verifiedTo: sink) }
    }

    @Test func keepsVerifiedBlobsAndDropsCorruptOnes() throws {
        let dir = try TemporaryDirectory()
        let cache = BlobCache(directory: dir.file("blobs"))
        let one = blob("first blob")
        #expect(cache.lookup(one.descriptor) == nil)
        try store(cache, one)
        let path = try #require(cache.lookup(one.descriptor))
        #expect(FileManager.default.contents(atPath: path) == Data("first blob".utf8))
        try Data("FIRST BLOB".utf8).write(to: URL(fileURLWithPath: path))
        #expect(cache.lookup(one.descriptor) == nil)
        #expect(!FileStatus.exists(path))
        let liar = Blob(descriptor: one.descriptor, content: .bytes(Array("other blob".utf8)))
        #expect(throws: OCIError.self) { try store(cache, liar) }
        #expect(cache.lookup(one.descriptor) == nil)
    }

    @Test func evictsTheLeastRecentlyUsedAboveItsBound() throws {
        let dir = try TemporaryDirectory()
        let a = blob("aaaaaaaaaa"), b = blob("bbbbbbbbbb"), c = blob("cccccccccc")
        let earlier = BlobCache(directory: dir.file("blobs"), maximumBytes: 20)
        try store(earlier, a)
        Thread.sleep(forTimeInterval: 0.02)
        try store(earlier, b)
        Thread.sleep(forTimeInterval: 0.02)
        let later = BlobCache(directory: dir.file("blobs"), maximumBytes: 20)
        #expect(later.lookup(a.descriptor) != nil)  // a is now the most recently used
        Thread.sleep(forTimeInterval: 0.02)
        try store(later, c)
        #expect(later.lookup(b.descriptor) == nil)
        #expect(later.lookup(a.descriptor) != nil && later.lookup(c.descriptor) != nil)
        // Blobs in use by this run stay, even above the bound.
        let tight = BlobCache(directory: dir.file("blobs"), maximumBytes: 5)
        _ = tight.lookup(a.descriptor)
        tight.evict()
        #expect(tight.lookup(a.descriptor) != nil && tight.lookup(c.descriptor) == nil)
    }

    @Test func theDefaultDirectoryIsBesideTheDigestCache() {
        #expect(BlobCache.defaultDirectory(environment: ["EDGEPACK_CACHE_DIR": "/c"]) == "/c/blobs")
        #expect(BlobCache.defaultDirectory(environment: ["XDG_CACHE_HOME": "/x"]) == "/x/edgepack/blobs")
        #expect(BlobCache.defaultDirectory(environment: ["HOME": "/h"]) == "/h/.cache/edgepack/blobs")
    }
}
