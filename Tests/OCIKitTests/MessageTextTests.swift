import Foundation
import Testing
import TestSupport
@testable import OCIKit

/// One-line messages: long values cut, Foundation's file errors worded as edgepack words its own.
@Suite struct MessageTextTests {
    @Test func aLongValueIsCutInAMessage() {
        let huge = String(repeating: "a", count: 5_000_000)
        let line = OCIError(.invalidReference, "invalid name '\(huge)': use lowercase letters").description
        #expect(line.utf8.count < 400, "\(line.utf8.count)")
        #expect(line.hasPrefix("invalid name 'aaaa") && line.contains("…(5000003 bytes)") && line.hasSuffix(": use lowercase letters"))
        let spaced = Array(repeating: "word", count: 100_000).joined(separator: " ")
        let long = MessageText.escaped("start \(spaced) end")
        #expect(long.utf8.count < 8_000 && long.hasPrefix("start word") && long.hasSuffix("word end") && long.contains("bytes in all"))
        let path = "/a/normal/path/" + String(repeating: "x", count: 200)
        #expect(MessageText.escaped("cannot read \(path): denied") == "cannot read \(path): denied")
    }

    @Test func foundationFileErrorsBecomeOneLineNamingThePath() throws {
        let dir = try TemporaryDirectory()
        let missing = dir.file("missing/file")
        do {
            _ = try FileManager.default.attributesOfItem(atPath: missing)
            Issue.record("no error")
        } catch {
            let line = try #require(OCIError(foundation: error)).description
            #expect(line == "cannot read \(missing): no such file or directory", "\(line)")
        }
        do {
            try Data("x".utf8).write(to: URL(fileURLWithPath: missing))
            Issue.record("no error")
        } catch {
            let line = try #require(OCIError(foundation: error)).description
            #expect(line == "cannot access \(missing): no such file or directory", "\(line)")
        }
        let wrapped = OCIError(.io, "cannot stage", cause: CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: "/x"]))
        #expect(wrapped.description == "cannot stage: cannot write /x: permission denied")
        #expect(OCIError(foundation: OCIError(.io, "x")) == nil)
        // A scratch name of ours is not what the user must fix: the folder it was in is.
        #expect(OCIError.io("create", "/locked/.edge.edgepack-42-7", errno: EACCES).description == "cannot write in /locked: permission denied")
        #expect(OCIError.io("create", "/locked/edge", errno: EACCES).description == "cannot create /locked/edge: permission denied")
    }
}
