import Foundation
import Testing
import TestSupport
@testable import OCIKit

@Suite struct TarTests {
    func modelDirectory(_ dir: TemporaryDirectory) throws -> String {
        try dir.write("model/b.bin", Data(repeating: 7, count: 5000))
        try dir.write("model/a.txt", "alpha")
        try dir.write("model/sub/z.json", "{}")
        try dir.write("model/sub/deeper/y", "y")
        try FileManager.default.createDirectory(atPath: dir.file("model/empty"), withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o750], ofItemAtPath: try dir.write("model/run.sh", "#!/bin/sh\n"))
        return dir.file("model")
    }

    func tarBytes(_ directory: String, options: TarOptions = TarOptions(mtime: 0)) throws -> [UInt8] {
        let sink = MemorySink()
        try DirectoryTarWriter(options: options).write(directory: directory, to: sink)
        return sink.bytes
    }

    @Test func sameDirectoryGivesIdenticalBytes() throws {
        let dir = try TemporaryDirectory()
        let model = try modelDirectory(dir)
        let first = try tarBytes(model)
        // Touch every file: metadata that is not content must not leak into the tar.
        _ = try run("sh", ["-c", "find '\(model)' -exec touch -d '2001-02-03 04:05:06' {} +"])
        #expect(try tarBytes(model) == first)
    }

    @Test func copiesInOtherPlacesGiveIdenticalBytes() throws {
        let one = try TemporaryDirectory(), two = try TemporaryDirectory("elsewhere")
        #expect(try tarBytes(modelDirectory(one)) == tarBytes(modelDirectory(two)))
    }

    @Test func bsdtarReadsSortedEntriesWithFixedMetadata() throws {
        let dir = try TemporaryDirectory()
        let model = try modelDirectory(dir)
        let tarPath = try dir.write("layer.tar", Data(try tarBytes(model, options: TarOptions(mtime: 1_700_000_000))))
        let listing = try run("bsdtar", ["-tvf", tarPath, "--numeric-owner"])
        #expect(listing.succeeded, "\(listing.stderr)")
        let names = try run("bsdtar", ["-tf", tarPath]).stdout.split(separator: "\n").map(String.init)
        #expect(names == ["a.txt", "b.bin", "empty/", "run.sh", "sub/", "sub/deeper/", "sub/deeper/y", "sub/z.json"])
        for line in listing.stdout.split(separator: "\n") {
            #expect(line.contains(" 0 0 "), "owner not 0/0: \(line)")
            #expect(line.contains("Nov 14  2023"), "mtime not from SOURCE_DATE_EPOCH: \(line)")
        }
        #expect(listing.stdout.contains("-rwxr-xr-x  0 0      0          10 Nov 14  2023 run.sh"))
        #expect(listing.stdout.contains("-rw-r--r--  0 0      0        5000 Nov 14  2023 b.bin"))
    }

    @Test func extractsToTheSameContent() throws {
        let dir = try TemporaryDirectory()
        let model = try modelDirectory(dir)
        let tarPath = try dir.write("layer.tar", Data(try tarBytes(model)))
        try FileManager.default.createDirectory(atPath: dir.file("out"), withIntermediateDirectories: true)
        #expect(try run("bsdtar", ["-xf", tarPath, "-C", dir.file("out")]).succeeded)
        #expect(try run("diff", ["-r", model, dir.file("out")]).succeeded)
    }

    @Test func longNamesUsePaxHeaders() throws {
        let dir = try TemporaryDirectory()
        let longName = String(repeating: "n", count: 180) + ".bin"
        try dir.write("model/\(longName)", "x")
        let tarPath = try dir.write("layer.tar", Data(try tarBytes(dir.file("model"))))
        #expect(try run("bsdtar", ["-tf", tarPath]).stdout == longName + "\n")
    }

    @Test func symlinkInsideIsStoredAsALink() throws {
        let dir = try TemporaryDirectory()
        try dir.write("model/weights.bin", "w")
        try FileManager.default.createSymbolicLink(atPath: dir.file("model/latest.bin"), withDestinationPath: "weights.bin")
        let tarPath = try dir.write("layer.tar", Data(try tarBytes(dir.file("model"))))
        #expect(try run("bsdtar", ["-tvf", tarPath]).stdout.contains("latest.bin -> weights.bin"))
    }

    @Test(arguments: ["../outside.bin", "/etc/passwd", "sub/../../x"])
    func symlinkLeavingTheDirectoryIsRefused(target: String) throws {
        let dir = try TemporaryDirectory()
        try dir.write("model/weights.bin", "w")
        try FileManager.default.createSymbolicLink(atPath: dir.file("model/escape"), withDestinationPath: target)
        let error = try #require(throws: OCIError.self) { try tarBytes(dir.file("model")) }
        #expect(error.code == .unsafePath)
        #expect(error.message.contains("outside the model directory"))
    }

    @Test func symlinksCanBeRefusedAltogether() throws {
        let dir = try TemporaryDirectory()
        try dir.write("model/weights.bin", "w")
        try FileManager.default.createSymbolicLink(atPath: dir.file("model/latest"), withDestinationPath: "weights.bin")
        #expect(throws: OCIError.self) { try tarBytes(dir.file("model"), options: TarOptions(mtime: 0, symlinks: .refuse)) }
    }

    @Test func linkTargetsAreResolvedLexically() {
        #expect(DirectoryTarWriter.staysInside(linkName: "a/b/link", target: "../../x"))
        #expect(!DirectoryTarWriter.staysInside(linkName: "a/b/link", target: "../../../x"))
        #expect(DirectoryTarWriter.staysInside(linkName: "link", target: "./sub/./x"))
        #expect(!DirectoryTarWriter.staysInside(linkName: "link", target: ""))
    }

    /// Sizes of 8 GiB and more do not fit ustar's 11 octal digits: a pax `size` record must carry them.
    @Test func filesOf8GiBAndMoreGetAPaxSizeRecord() throws {
        let dir = try TemporaryDirectory()
        let size: Int64 = (8 << 30) + 3
        let path = dir.file("model/huge.bin")
        try FileManager.default.createDirectory(atPath: dir.file("model"), withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        #expect(truncate(path, off_t(size)) == 0)
        let sink = PrefixSink(keep: 4096)
        try DirectoryTarWriter(options: TarOptions(mtime: 0)).write(directory: dir.file("model"), to: sink)
        let header = String(decoding: sink.prefix.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
        #expect(header.contains("size=\(size)"))
        // header blocks + data rounded up to 512 + two zero blocks
        #expect(sink.count == 512 * 3 + (size + 511) / 512 * 512 + 1024)
    }
}

/// Keeps the first bytes written and counts the rest.
final class PrefixSink: ByteSink {
    let keep: Int
    var prefix: [UInt8] = []
    var count: Int64 = 0
    init(keep: Int) { self.keep = keep }
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        if prefix.count < keep { prefix.append(contentsOf: bytes.prefix(keep - prefix.count)) }
        count += Int64(bytes.count)
    }
}
