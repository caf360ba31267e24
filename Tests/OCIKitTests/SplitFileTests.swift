import Foundation
import Testing
import TestSupport
@testable import OCIKit

/// The streaming splitter and the reader across parts, at sizes that put tar headers and blobs across part ends.
@Suite struct SplitFileTests {
    @Test func partsConcatenateToTheArchiveAndReadAsOne() throws {
        let dir = try TemporaryDirectory()
        let artifacts = try (0..<3).map { try sampleArtifact(dir, name: "m\($0)", content: String(repeating: "weights \($0) ", count: 700 + $0 * 300)) }
        try exportArchive(artifacts, to: dir.file("whole.tar"))
        try FileManager.default.createDirectory(atPath: dir.file("split"), withIntermediateDirectories: true)
        try Copier.copy(artifacts, to: LayoutArchiveDestination(path: dir.file("split/b.tar"), mtime: 0, partSize: 3000))
        let whole = try Data(contentsOf: URL(fileURLWithPath: dir.file("whole.tar")))
        let list = try SplitBundle.read(listPath: dir.file("split/b.tar.parts.json"))
        #expect(list.parts.count == (whole.count + 2999) / 3000 && list.parts.dropLast().allSatisfy { $0.size == 3000 })
        var joined = Data()
        for part in list.parts { joined += try Data(contentsOf: URL(fileURLWithPath: dir.file("split/" + part.name))) }
        #expect(joined == whole && list.sha256 == SHA256Hasher.digest(Array(whole)).encoded)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("split")).count == list.parts.count + 1)  // no temporary file

        let (_, files) = try SplitBundle.open(listPath: dir.file("split/b.tar.parts.json"))
        for (offset, length) in [(0, 10), (2990, 20), (2999, 3002), (0, whole.count), (whole.count - 5, 5)] {
            let sink = MemorySink()
            try files.content(offset: Int64(offset), length: Int64(length)).write(to: sink)
            #expect(sink.bytes == Array(whole[offset..<(offset + length)]), "\(offset)+\(length)")
        }
        let bundle = try ImageLayoutBundle(path: dir.file("split/b.tar.001"))
        try bundle.verify()
        #expect(bundle.path == dir.file("split/b.tar") && bundle.index.manifests.count == 3)
    }

    @Test func aFailedWriteLeavesNoPartAndAShorterRewriteRemovesTheOldExtraParts() throws {
        let dir = try TemporaryDirectory()
        #expect(throws: OCIError.self) {
            try SplitFileWriter.write(to: dir.file("b.tar"), partSize: 100) { sink in
                try Array(repeating: UInt8(7), count: 250).withUnsafeBytes { try sink.write($0) }
                throw OCIError(.io, "stopped")
            }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
        try SplitFileWriter.write(to: dir.file("b.tar"), partSize: 100) { sink in try Array(repeating: UInt8(7), count: 250).withUnsafeBytes { try sink.write($0) } }
        try SplitFileWriter.write(to: dir.file("b.tar"), partSize: 100) { sink in try Array(repeating: UInt8(8), count: 150).withUnsafeBytes { try sink.write($0) } }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["b.tar.000", "b.tar.001", "b.tar.parts.json"])
    }

    @Test func aListNamingAPathOutsideItsFolderIsRefused() throws {
        let dir = try TemporaryDirectory()
        try SplitFileWriter.write(to: dir.file("b.tar"), partSize: 100) { sink in try Array(repeating: UInt8(7), count: 150).withUnsafeBytes { try sink.write($0) } }
        let text = try String(contentsOfFile: dir.file("b.tar.parts.json"), encoding: .utf8).replacingOccurrences(of: "\"b.tar.001\"", with: "\"../etc/passwd\"")
        try dir.write("b.tar.parts.json", text)
        let error = try #require(throws: OCIError.self) { try ImageLayoutBundle(path: dir.file("b.tar.000")) }
        #expect(error.message.contains("'../etc/passwd', not b.tar.001"), "\(error.message)")
        try dir.write("b.tar.parts.json", text.replacingOccurrences(of: "\"bundle\":\"b.tar\"", with: "\"bundle\":\"c.tar\""))
        let other = try #require(throws: OCIError.self) { try ImageLayoutBundle(path: dir.file("b.tar")) }
        #expect(other.message.contains("lists the parts of 'c.tar', not of b.tar"), "\(other.message)")
    }
}
