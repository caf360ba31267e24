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

    @Test func manifestsAreKeptByDigestAndCheckedOnTheWayOut() throws {
        let dir = try TemporaryDirectory()
        let cache = BlobCache(directory: dir.file("blobs"))
        let bytes = Array(#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}"#.utf8)
        let digest = SHA256Hasher.digest(bytes)
        #expect(cache.manifestBytes(digest) == nil)
        try cache.storeManifest(bytes, as: digest)
        try cache.storeManifest(Array("not these bytes".utf8), as: SHA256Hasher.digest(Array("other".utf8)))  // refused: not its digest
        #expect(cache.manifestBytes(digest) == bytes)
        #expect(cache.manifestBytes(SHA256Hasher.digest(Array("other".utf8))) == nil)
        let path = dir.file("blobs/sha256/\(digest.encoded)")
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int == 0o600)
        try Data(#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":{}}"#.utf8).write(to: URL(fileURLWithPath: path))
        #expect(cache.manifestBytes(digest) == nil && !FileStatus.exists(path))
    }

    /// A tag's record says where it pointed and when, and leads to an index's platform manifests too.
    @Test func tagRecordsAreWrittenWholeAndFoundFromAPlatformDigest() throws {
        let dir = try TemporaryDirectory()
        let cache = BlobCache(directory: dir.file("blobs"))
        let child = Descriptor(mediaType: MediaType.imageManifest, digest: SHA256Hasher.digest(Array("child".utf8)), size: 5)
        let index = Array(try CanonicalJSON.encode(Index(manifests: [child])))
        let top = Descriptor(mediaType: MediaType.imageIndex, digest: SHA256Hasher.digest(index), size: Int64(index.count))
        #expect(cache.cachedTag("127.0.0.1:5000/engine:v1") == nil)
        try cache.recordTag("127.0.0.1:5000/engine:v1", as: top, at: Date(timeIntervalSince1970: 1_780_000_000))
        let record = try #require(cache.cachedTag("127.0.0.1:5000/engine:v1"))
        #expect(record.descriptor == top && record.resolvedAt == "2026-05-28T20:26:40Z")
        #expect(cache.cachedTag("127.0.0.1:5000/engine:v2") == nil)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.file("blobs/tags"))
        #expect(files == ["\(SHA256Hasher.digest(Array("127.0.0.1:5000/engine:v1".utf8)).encoded).json"])
        let text = try String(contentsOfFile: dir.file("blobs/tags/\(files[0])"), encoding: .utf8)
        #expect(text.contains(#""resolved_at":"2026-05-28T20:26:40Z""#) && text.contains(#""media_type":"application/vnd.oci.image.index.v1+json""#), "\(text)")
        #expect(try FileManager.default.attributesOfItem(atPath: dir.file("blobs/tags/\(files[0])"))[.posixPermissions] as? Int == 0o600)
        #expect(cache.cachedTags(leadingTo: top.digest) == [record])
        #expect(cache.cachedTags(leadingTo: child.digest).isEmpty, "the index itself is not cached yet")
        try cache.storeManifest(index, as: top.digest)
        #expect(cache.cachedTags(leadingTo: child.digest) == [record])
    }
}
