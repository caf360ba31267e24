import Foundation
import Testing
import TestSupport
@testable import OCIKit

@Suite struct FileDigesterTests {
    @Test func digestOfFileMatchesSha256sum() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("model.bin", Data((0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }))
        let ours = try FileDigester(cache: nil).digest(file: path)
        let theirs = try run("sha256sum", [path]).stdout.prefix(64)
        #expect(ours.digest.encoded == String(theirs))
        #expect(ours.size == 3_000_000)
    }

    /// Streaming must work past 4 GiB (32-bit sizes) in constant memory: a sparse file costs no disk.
    @Test func digestOfFileLargerThan4GiB() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("big.bin")
        let size: Int64 = (4 << 30) + 12_345
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: UInt64(size))
        try handle.seek(toOffset: UInt64(size) - 5)
        try handle.write(contentsOf: Data("tail!".utf8))
        try handle.close()
        let ours = try FileDigester(cache: nil).digest(file: path)
        let theirs = try run("sha256sum", [path]).stdout.prefix(64)
        #expect(ours.size == size)
        #expect(ours.digest.encoded == String(theirs))
    }

    @Test func parallelDigestsKeepInputOrder() throws {
        let dir = try TemporaryDirectory()
        let paths = try (0..<9).map { try dir.write("f\($0)", String(repeating: "x", count: $0 * 1000 + 1)) }
        let digester = FileDigester(cache: nil, concurrency: 4)
        let parallel = try digester.digest(files: paths)
        let sequential = try paths.map { try digester.digest(file: $0) }
        #expect(parallel == sequential)
        #expect(Set(parallel.map(\.digest)).count == paths.count)
    }

    @Test func missingFileInABatchIsAnError() throws {
        let dir = try TemporaryDirectory()
        let good = try dir.write("good", "x")
        #expect(throws: OCIError.self) {
            try FileDigester(cache: nil, concurrency: 2).digest(files: [good, dir.file("missing"), good])
        }
    }

    @Test func directoryIsNotAFile() throws {
        let dir = try TemporaryDirectory()
        #expect(throws: OCIError.self) { try FileDigester(cache: nil).digest(file: dir.path) }
    }
}
