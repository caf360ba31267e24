import Foundation
import Testing
import TestSupport
@testable import OCIKit

@Suite struct LeftoverAndDiskTests {
    @Test func temporaryNamesCarryTheirOwnerAndOnlyDeadOwnersAreSwept() throws {
        let dir = try TemporaryDirectory()
        let mine = AtomicFile.temporaryPath(for: dir.file("bundle.tar"))
        #expect(TemporaryFiles.owner(of: (mine as NSString).lastPathComponent) == getpid())
        #expect(TemporaryFiles.scratchPath("layer-ab").contains("edgepack-layer-ab.edgepack-\(getpid())-"))
        let finished = Process()
        finished.executableURL = URL(fileURLWithPath: "/bin/true")
        try finished.run()
        finished.waitUntilExit()
        let dead = finished.processIdentifier
        try dir.write(".bundle.tar.edgepack-\(dead)-7", "stale")
        try dir.write("edgepack-layer-x.edgepack-\(dead)-8/part", "stale folder")
        try dir.write((mine as NSString).lastPathComponent, "in progress")
        try dir.write("model.edgepack-notapid-1", "not ours")
        try dir.write("bundle.tar", "a result")
        let removed = TemporaryFiles.removeStale(in: [dir.path])
        #expect(removed.count == 2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
            == [(mine as NSString).lastPathComponent, "bundle.tar", "model.edgepack-notapid-1"].sorted())
    }

    @Test func notEnoughSpaceNamesTheFilesystemAndTheNeed() throws {
        let dir = try TemporaryDirectory()
        let error = #expect(throws: OCIError.self) { try DiskSpace.ensure(Int64.max / 2, for: dir.file("out/bundle.tar"), what: "the bundle") }
        let message = try #require(error?.description)
        #expect(message.contains("the bundle") && message.contains("needs 4.0 EiB") && message.contains("the filesystem at /"), "\(message)")
        try DiskSpace.ensure(1, for: dir.file("out/bundle.tar"), what: "the bundle")
        let full = OCIError.io("write", dir.file("bundle.tar"), errno: ENOSPC).description
        #expect(full.contains("no space left on device (the filesystem at /") && full.contains("free)"), "\(full)")
        #expect(DiskSpace.mountPoint("/proc/self") == "/proc")
    }

    @Test func controlCharactersInMessagesAreEscaped() {
        let error = OCIError(.invalidLayout, "bad name 'a\u{0}b\u{1b}[31m\nc'")
        #expect(error.description == "bad name 'a\\u{0}b\\u{1b}[31m\\u{a}c'")
    }
}
