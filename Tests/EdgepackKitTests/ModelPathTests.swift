import Foundation
import Testing
import TestSupport
@testable import EdgepackKit

/// A definition in `dir/def/` whose one model has `path`, loaded; the messages, or none.
private func problems(_ path: String, in dir: TemporaryDirectory, allowOutside: Bool = false) throws -> [String] {
    let yaml = minimal.replacingOccurrences(of: "path: model.onnx", with: "path: \"\(path)\"")
    try dir.write("def/edgepack.yaml", yaml)
    do {
        _ = try DefinitionLoader.load(path: dir.file("def/edgepack.yaml"), allowOutside: allowOutside)
        return []
    } catch let error as DefinitionError {
        return error.diagnostics.map(\.message)
    }
}

@Suite struct ModelPathTests {
    @Test func aModelPathMustStayInsideTheDefinitionsFolder() throws {
        let dir = try TemporaryDirectory()
        try dir.write("outside.onnx", "secret")
        try dir.write("def/inside.onnx", "weights")
        try FileManager.default.createSymbolicLink(atPath: dir.file("def/link.onnx"), withDestinationPath: "/etc/passwd")
        try FileManager.default.createSymbolicLink(atPath: dir.file("def/up.onnx"), withDestinationPath: "../outside.onnx")
        try FileManager.default.createSymbolicLink(atPath: dir.file("def/ok.onnx"), withDestinationPath: "inside.onnx")
        try FileManager.default.createSymbolicLink(atPath: dir.file("def/outdir"), withDestinationPath: dir.path)
        let cases: [(String, String)] = [
            ("../outside.onnx", "leads outside the definition's folder"),
            (dir.file("outside.onnx"), "is absolute"),
            ("link.onnx", "is a symlink to '/etc/passwd', outside the definition's folder"),
            ("up.onnx", "is a symlink to '../outside.onnx', outside"),
            ("outdir/outside.onnx", "leads outside the definition's folder"),
            ("sub/../../outside.onnx", "leads outside the definition's folder"),
        ]
        try FileManager.default.createDirectory(atPath: dir.file("def/sub"), withIntermediateDirectories: true)
        for (path, message) in cases {
            let found = try problems(path, in: dir)
            #expect(found.count == 1 && found[0].contains(message), "\(path): \(found)")
        }
        #expect(try problems("ok.onnx", in: dir).isEmpty)
        #expect(try problems("sub/../inside.onnx", in: dir).isEmpty)
        #expect(try problems("../outside.onnx", in: dir, allowOutside: true).isEmpty)
        #expect(try problems(dir.file("outside.onnx"), in: dir, allowOutside: true).isEmpty)
        #expect(try problems("link.onnx", in: dir, allowOutside: true).isEmpty)
    }

    @Test func aModelDirectoryIsCheckedWithoutReadingIt() throws {
        let dir = try TemporaryDirectory()
        try dir.write("def/models/saved/weights.bin", "w")
        #expect(try problems("models/saved", in: dir).isEmpty)
        try FileManager.default.createSymbolicLink(atPath: dir.file("def/models/saved/escape"), withDestinationPath: "../../../outside")
        #expect(try problems("models/saved", in: dir).first?.contains("outside the model directory") == true)
        try FileManager.default.removeItem(atPath: dir.file("def/models/saved/escape"))
        #expect(mkfifo(dir.file("def/models/saved/pipe"), 0o644) == 0)
        let fifo = try problems("models/saved", in: dir)
        #expect(fifo.count == 1 && fifo[0].contains("is not a regular file, directory or symlink"), "\(fifo)")
    }

    @Test func anEmptyModelFileIsRefused() throws {
        let dir = try TemporaryDirectory()
        try dir.write("def/empty.onnx", "")
        let found = try problems("empty.onnx", in: dir)
        #expect(found == ["model file 'empty.onnx' is empty; point 'path' at the model itself"])
    }

    @Test func aMissingModelFileIsOneMessage() throws {
        let found = try messages(minimal.replacingOccurrences(of: "path: model.onnx", with: "path: missing.onnx"))
        #expect(found.count == 1, "\(found)")
        #expect(found.first?.contains("model path 'missing.onnx' does not exist") == true)
        let badFramework = try messages(minimal.replacingOccurrences(of: "framework: onnx", with: "framework: caffe"))
        #expect(badFramework.count == 1, "\(badFramework)")
    }

    @Test func controlCharactersInTheDefinitionAreEscaped() throws {
        let found = try messages("name: demo\u{0}\nengine: {image: a/b:c}\n")
        #expect(found.count == 1)
        #expect(found[0].contains("\\u{0}") && !found[0].unicodeScalars.contains { $0.value < 0x20 }, "\(found)")
        let key = try messages(minimal + "\u{1b}[31mred: 1\n")
        #expect(key.allSatisfy { !$0.unicodeScalars.contains { $0.value < 0x20 } }, "\(key)")
    }

    @Test(arguments: ["decimal128(100, 2)", "decimal128(0, 0)", "decimal256(77, 2)", "decimal(39, 1)"])
    func decimalPrecisionIsBounded(type: String) {
        #expect(ArrowType.problem(in: type)?.contains("precision must be") == true)
    }

    @Test(arguments: ["decimal128(38, 2)", "decimal256(76, 10)", "decimal128(1, 0)"])
    func decimalPrecisionWithinBoundsIsAccepted(type: String) {
        #expect(ArrowType.problem(in: type) == nil)
    }
}
