import Foundation
import Testing
import TestSupport
@testable import OCIKit

/// `TarOptions.root`: a directory's tree, or one file, stored under a folder (a model image's `models/NAME/`).
@Suite struct RootedTarTests {
    private func listing(_ content: BlobContent, in dir: TemporaryDirectory) throws -> [String] {
        let sink = MemorySink()
        try content.write(to: sink)
        let tar = try dir.write("layer-\(UUID().uuidString).tar", Data(sink.bytes))
        let listed = try run("tar", ["-tvf", tar, "--numeric-owner"])
        #expect(listed.succeeded, "\(listed.stderr)")
        return listed.stdout.split(separator: "\n").map { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            return "\(fields[0]) \(fields[1]) \(fields.last!)"
        }
    }

    @Test func aDirectoryAndAFileAreStoredUnderTheRootAfterItsFolders() throws {
        let dir = try TemporaryDirectory()
        _ = try dir.write("model/weights/a.bin", "a")
        _ = try dir.write("model/config.json", "{}")
        let file = try dir.write("single.onnx", "onnx")
        let options = TarOptions(mtime: 0, root: "models/m")
        #expect(try listing(.directoryTar(path: dir.file("model"), options: options), in: dir) == [
            "drwxr-xr-x 0/0 models/", "drwxr-xr-x 0/0 models/m/", "-rw-r--r-- 0/0 models/m/config.json",
            "drwxr-xr-x 0/0 models/m/weights/", "-rw-r--r-- 0/0 models/m/weights/a.bin",
        ])
        #expect(try listing(.directoryTar(path: file, options: options), in: dir) == [
            "drwxr-xr-x 0/0 models/", "drwxr-xr-x 0/0 models/m/", "-rw-r--r-- 0/0 models/m/single.onnx",
        ])
        // Without a root, the layer is what it always was: the tree at the top.
        #expect(try listing(.directoryTar(path: dir.file("model"), options: TarOptions(mtime: 0)), in: dir).first == "-rw-r--r-- 0/0 config.json")
    }

    @Test func theDigestCacheKeepsBothLayersOfOneDirectory() throws {
        let dir = try TemporaryDirectory()
        _ = try dir.write("model/a.bin", String(repeating: "a", count: 4096))
        Thread.sleep(forTimeInterval: Double(DigestCache.racyWindowNanoseconds) / 1e9 + 0.05)  // not racy: trusted
        let digester = FileDigester(cache: DigestCache(location: nil))
        let plain = TarOptions(mtime: 0), rooted = TarOptions(mtime: 0, root: "models/m")
        let first = try digester.digest(directory: dir.file("model"), options: plain)
        let second = try digester.digest(directory: dir.file("model"), options: rooted)
        #expect(first.digest != second.digest)
        #expect(digester.trustedListing(of: dir.file("model"), options: plain, digest: first.digest, size: first.size) != nil)
        #expect(digester.trustedListing(of: dir.file("model"), options: rooted, digest: second.digest, size: second.size) != nil)
    }
}
