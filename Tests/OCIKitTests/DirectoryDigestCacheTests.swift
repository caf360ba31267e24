import Foundation
import Testing
import TestSupport
@testable import OCIKit

/// The digest cache for directory models: a hit needs every entry of the tree unchanged.
@Suite struct DirectoryDigestCacheTests {
    let fake = ContentDigest(digest: SHA256Hasher.digest(Array("not the tar".utf8)), size: 1024)
    let options = TarOptions(mtime: 0)

    /// A model directory (a file, an empty file, a subfolder with a file and a symlink), old enough to be trusted.
    func settledTree(_ dir: TemporaryDirectory) throws -> String {
        try dir.write("model/config.json", "{}")
        try dir.write("model/empty.txt", "")
        try dir.write("model/shards/part-0.bin", "weights-v1")
        #expect(symlink("part-0.bin", dir.file("model/shards/latest")) == 0)
        Thread.sleep(forTimeInterval: Double(DigestCache.racyWindowNanoseconds) / 1e9 + 0.05)
        return dir.file("model")
    }

    /// Digests `tree`, then plants a wrong digest under its current fingerprint: a later hit returns the fake.
    func plantFake(_ tree: String, in cache: DigestCache) throws -> FileDigester {
        let digester = FileDigester(cache: cache)
        _ = try digester.digest(directory: tree, options: options)
        let listing = try DirectoryListing(directory: tree)
        cache.storeTree(path: FileDigester.canonicalPath(tree), fingerprint: listing.fingerprint(options: options),
                        newestChangeNanoseconds: listing.newestChangeNanoseconds, content: fake, hashStartedAt: Clock.nowNanoseconds())
        #expect(try digester.digest(directory: tree, options: options) == fake)
        return digester
    }

    func uncached(_ tree: String) throws -> ContentDigest {
        try BlobContent.directoryTar(path: tree, options: options).digest()
    }

    /// Changes the tree with `change`, then expects a miss: the real digest of the changed tree, not the fake.
    func expectMissAfter(_ change: (String) throws -> Void) throws {
        let dir = try TemporaryDirectory()
        let tree = try settledTree(dir)
        let digester = try plantFake(tree, in: DigestCache(location: dir.file("digests")))
        try change(tree)
        let after = try digester.digest(directory: tree, options: options)
        #expect(after != fake)
        #expect(after == (try uncached(tree)))
    }

    @Test func unchangedTreeIsServedFromTheCache() throws {
        let dir = try TemporaryDirectory()
        let tree = try settledTree(dir)
        let cache = DigestCache(location: dir.file("digests"))
        let real = try FileDigester(cache: cache).digest(directory: tree, options: options)
        #expect(real == (try uncached(tree)))
        _ = try plantFake(tree, in: cache)
    }

    @Test func sameSizeRewriteWithMtimeRestoredMisses() throws {
        try expectMissAfter { tree in
            let path = tree + "/shards/part-0.bin"
            let before = try FileStatus(path: path)
            try Data("weights-v2".utf8).write(to: URL(fileURLWithPath: path))
            let mtime = timespec(tv_sec: Int(before.modifiedNanoseconds / 1_000_000_000), tv_nsec: Int(before.modifiedNanoseconds % 1_000_000_000))
            #expect(utimensat(AT_FDCWD, path, [mtime, mtime], 0) == 0)
            #expect(try FileStatus(path: path).modifiedNanoseconds == before.modifiedNanoseconds)
            #expect(try FileStatus(path: path).size == before.size)
        }
    }

    @Test func renameMisses() throws {
        try expectMissAfter { tree in
            #expect(rename(tree + "/shards/part-0.bin", tree + "/shards/part-1.bin") == 0)
            #expect(unlink(tree + "/shards/latest") == 0)
            #expect(symlink("part-1.bin", tree + "/shards/latest") == 0)
        }
    }

    @Test func addedEmptyFileMisses() throws {
        try expectMissAfter { tree in
            #expect(FileManager.default.createFile(atPath: tree + "/shards/added", contents: Data()))
        }
    }

    @Test func changedModeMisses() throws {
        try expectMissAfter { tree in
            #expect(chmod(tree + "/config.json", 0o755) == 0)
        }
    }

    @Test func changedSymlinkTargetMisses() throws {
        try expectMissAfter { tree in
            #expect(unlink(tree + "/shards/latest") == 0)
            #expect(symlink("../config.json", tree + "/shards/latest") == 0)
        }
    }

    @Test func otherTarOptionsMiss() throws {
        let dir = try TemporaryDirectory()
        let tree = try settledTree(dir)
        let digester = try plantFake(tree, in: DigestCache(location: dir.file("digests")))
        let other = TarOptions(mtime: 1_700_000_000)
        #expect(try digester.digest(directory: tree, options: other) == (try BlobContent.directoryTar(path: tree, options: other).digest()))
    }

    @Test func racyTreesAreNotTrusted() throws {
        let dir = try TemporaryDirectory()
        try dir.write("model/fresh.bin", "x")
        let tree = dir.file("model")
        let cache = DigestCache(location: dir.file("digests"))
        let listing = try DirectoryListing(directory: tree)
        let fingerprint = listing.fingerprint(options: options)
        let key = FileDigester.canonicalPath(tree)
        cache.storeTree(path: key, fingerprint: fingerprint, newestChangeNanoseconds: listing.newestChangeNanoseconds, content: fake,
                        hashStartedAt: listing.newestChangeNanoseconds + 1_000_000)
        #expect(cache.lookupTree(path: key, fingerprint: fingerprint) == nil)
        cache.storeTree(path: key, fingerprint: fingerprint, newestChangeNanoseconds: listing.newestChangeNanoseconds, content: fake,
                        hashStartedAt: listing.newestChangeNanoseconds + 2_000_000_000)
        #expect(cache.lookupTree(path: key, fingerprint: fingerprint) == fake)
    }

    @Test func treesPersistBesideFiles() throws {
        let dir = try TemporaryDirectory()
        let tree = try settledTree(dir)
        let file = try dir.write("single.onnx", "one file")
        Thread.sleep(forTimeInterval: 0.15)
        let location = dir.file("cache/digests")
        let first = DigestCache(location: location)
        let real = try FileDigester(cache: first).digest(directory: tree, options: options)
        _ = try FileDigester(cache: first).digest(file: file)
        first.save()
        let second = DigestCache(location: location)
        let fingerprint = try DirectoryListing(directory: tree).fingerprint(options: options)
        #expect(second.lookupTree(path: FileDigester.canonicalPath(tree), fingerprint: fingerprint) == real)
        #expect(second.lookup(path: FileDigester.canonicalPath(file), status: try FileStatus(path: file)) == SHA256Hasher.digest(Array("one file".utf8)))
    }

    @Test func trustedCopyMatchesAndAChangedTreeFails() throws {
        let dir = try TemporaryDirectory()
        let tree = try settledTree(dir)
        let digester = FileDigester(cache: DigestCache(location: nil))
        let real = try digester.digest(directory: tree, options: options)
        let blob = Blob(descriptor: Descriptor(mediaType: "application/x-tar", digest: real.digest, size: real.size),
                        content: .directoryTar(path: tree, options: options))
        let copy = HashingSink()
        try blob.write(verifiedTo: copy, digester: digester)
        #expect(copy.finalize() == real.digest)
        // Same size, new content: the listing (ctime) tells it, although no hash of the copy is taken.
        try Data("weights-v2".utf8).write(to: URL(fileURLWithPath: tree + "/shards/part-0.bin"))
        #expect(throws: OCIError.self) { try blob.write(verifiedTo: HashingSink(), digester: digester) }
    }
}
