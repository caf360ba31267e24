import Foundation
import Testing
import TestSupport
@testable import OCIKit

@Suite struct DigestCacheTests {
    let fakeDigest = SHA256Hasher.digest(Array("not the content".utf8))

    /// Makes a file whose ctime is old enough for the cache to trust an entry for it.
    func settledFile(_ dir: TemporaryDirectory, _ content: String) throws -> String {
        let path = try dir.write("model.onnx", content)
        Thread.sleep(forTimeInterval: Double(DigestCache.racyWindowNanoseconds) / 1e9 + 0.05)
        return path
    }

    @Test func unchangedFileIsServedFromTheCache() throws {
        let dir = try TemporaryDirectory()
        let path = try settledFile(dir, "weights")
        let cache = DigestCache(location: dir.file("cache/digests"))
        let digester = FileDigester(cache: cache)
        let real = try digester.digest(file: path)
        // Plant a wrong digest for the same key: a hit must return it, proving no re-hash happened.
        cache.store(path: FileDigester.canonicalPath(path), status: try FileStatus(path: path), digest: fakeDigest, hashStartedAt: Clock.nowNanoseconds())
        #expect(try digester.digest(file: path).digest == fakeDigest)
        #expect(real.digest == SHA256Hasher.digest(Array("weights".utf8)))
    }

    @Test func changedContentWithRestoredMtimeIsHashedAgain() throws {
        let dir = try TemporaryDirectory()
        let path = try settledFile(dir, "weights-v1")
        let cache = DigestCache(location: dir.file("digests"))
        let digester = FileDigester(cache: cache)
        let before = try FileStatus(path: path)
        #expect(try digester.digest(file: path).digest == SHA256Hasher.digest(Array("weights-v1".utf8)))
        // Same size, and the old mtime put back: only ctime (which nobody can set) tells the change.
        try Data("weights-v2".utf8).write(to: URL(fileURLWithPath: path))
        var times = [timespec(tv_sec: Int(before.modifiedNanoseconds / 1_000_000_000), tv_nsec: Int(before.modifiedNanoseconds % 1_000_000_000))]
        times.append(times[0])
        #expect(utimensat(AT_FDCWD, path, times, 0) == 0)
        #expect(try FileStatus(path: path).modifiedNanoseconds == before.modifiedNanoseconds)
        #expect(try digester.digest(file: path).digest == SHA256Hasher.digest(Array("weights-v2".utf8)))
    }

    @Test func racyEntriesAreNotTrusted() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("fresh.bin", "x")
        let cache = DigestCache(location: dir.file("digests"))
        var status = try FileStatus(path: path)
        let now = Clock.nowNanoseconds()
        status.changedNanoseconds = now - 1_000_000
        cache.store(path: path, status: status, digest: fakeDigest, hashStartedAt: now)
        #expect(cache.lookup(path: path, status: status) == nil)
        status.changedNanoseconds = now - 2_000_000_000
        cache.store(path: path, status: status, digest: fakeDigest, hashStartedAt: now)
        #expect(cache.lookup(path: path, status: status) == fakeDigest)
    }

    @Test func cachePersistsAcrossInstances() throws {
        let dir = try TemporaryDirectory()
        let path = try settledFile(dir, "persist me")
        let location = dir.file("nested/dir/digests")
        let first = DigestCache(location: location)
        _ = try FileDigester(cache: first).digest(file: path)
        first.save()
        let second = DigestCache(location: location)
        #expect(second.lookup(path: FileDigester.canonicalPath(path), status: try FileStatus(path: path)) == SHA256Hasher.digest(Array("persist me".utf8)))
    }

    @Test func corruptCacheFileIsIgnored() throws {
        let dir = try TemporaryDirectory()
        let location = try dir.write("digests", "edgepack-digest-cache 2\nnot an entry\n")
        let path = try settledFile(dir, "abc")
        let digest = try FileDigester(cache: DigestCache(location: location)).digest(file: path)
        #expect(digest.digest == SHA256Hasher.digest(Array("abc".utf8)))
    }

    @Test func pathsWithSpacesPercentAndNewlinesRoundTrip() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("a b%c\nd.onnx", "odd name")
        Thread.sleep(forTimeInterval: 0.2)
        let location = dir.file("cache")
        let first = DigestCache(location: location)
        _ = try FileDigester(cache: first).digest(file: path)
        first.save()
        let reloaded = DigestCache(location: location)
        #expect(reloaded.lookup(path: FileDigester.canonicalPath(path), status: try FileStatus(path: path)) == SHA256Hasher.digest(Array("odd name".utf8)))
    }
}
