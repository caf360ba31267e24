import Foundation
import Testing
import TestSupport
@testable import OCIKit

/// A directory's tar, kept as it is hashed, is what gets written out afterwards: the directory is read once.
@Suite struct TarSpillTests {
    private func model(in dir: TemporaryDirectory) throws -> String {
        for index in 0..<50 { _ = try dir.write("model/shard-\(index).bin", String(repeating: "\(index % 10)", count: 1000 + index)) }
        return dir.file("model")
    }

    @Test func theKeptTarIsWrittenInsteadOfReadingTheDirectoryAgain() throws {
        let dir = try TemporaryDirectory()
        let path = try model(in: dir)
        let options = TarOptions(mtime: 0)
        var digester = FileDigester(cache: DigestCache(location: nil))
        let spill = TarSpill(beside: dir.file("bundle.tar"))
        digester.spill = spill
        let content = try digester.digest(directory: path, options: options)
        let kept = try #require(spill.file(for: content.digest))
        #expect(FileManager.default.contents(atPath: kept)?.count == Int(content.size))
        #expect((spill.directory as NSString).lastPathComponent.hasPrefix(".bundle.tar-layers.edgepack-"), "swept by a later run if this one is killed")

        // A change after hashing does not reach the output: the kept bytes, which match the digest, do.
        try String(repeating: "z", count: 1000).write(toFile: path + "/shard-0.bin", atomically: false, encoding: .utf8)
        let blob = Blob(descriptor: Descriptor(mediaType: "application/vnd.oci.image.layer.v1.tar", digest: content.digest, size: content.size),
                        content: .directoryTar(path: path, options: options))
        let written = HashingSink()
        try blob.write(verifiedTo: written, digester: digester)
        #expect(written.finalize() == content.digest && written.count == content.size)
        // Without the kept tar, the changed directory is refused as before.
        #expect(throws: OCIError.self) { try blob.write(verifiedTo: HashingSink(), digester: FileDigester(cache: nil)) }
    }

    @Test func theFolderGoesWithTheSpill() throws {
        let dir = try TemporaryDirectory()
        let path = try model(in: dir)
        var folder = ""
        do {
            var digester = FileDigester(cache: nil)
            let spill = TarSpill(beside: dir.file("bundle.tar"))
            digester.spill = spill
            folder = spill.directory
            _ = try digester.digest(directory: path, options: TarOptions(mtime: 0))
            #expect(FileManager.default.fileExists(atPath: folder))
        }
        #expect(!FileManager.default.fileExists(atPath: folder))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["model"])
    }

    /// An output whose folder does not exist is not given one: the tar is only hashed, and writing the output
    /// fails as it would have.
    @Test func aMissingOutputFolderIsNotCreated() throws {
        let dir = try TemporaryDirectory()
        let path = try model(in: dir)
        var digester = FileDigester(cache: nil)
        let spill = TarSpill(beside: dir.file("missing/bundle.tar"))
        digester.spill = spill
        let content = try digester.digest(directory: path, options: TarOptions(mtime: 0))
        #expect(spill.file(for: content.digest) == nil)
        #expect(!FileManager.default.fileExists(atPath: dir.file("missing")))
    }
}
