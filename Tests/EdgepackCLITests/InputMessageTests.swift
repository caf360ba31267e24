import Foundation
import Testing
import TestSupport

/// One definition folder with a model directory, in which a test plants something hostile.
private func definitionFolder(_ dir: TemporaryDirectory, model: String = "models/saved") throws -> String {
    try dir.write("def/models/saved/weights.bin", "weights")
    try dir.write("def/models/file.onnx", "onnx")
    return try dir.write("def/edgepack.yaml", """
    name: demo
    engine:
      image: ghcr.io/acme/engine:v1
      mirror: false
    models:
      - name: m
        path: \(model)
        framework: custom
    steps:
      - model: m

    """)
}

@Suite struct InputMessageTests {
    /// What `export` refuses, `validate` refuses with the same line, without reading the models.
    @Test func validateRunsEveryCheckExportRuns() throws {
        let plants: [(String, (TemporaryDirectory) throws -> Void, String)] = [
            ("models/saved", { dir in _ = mkfifo(dir.file("def/models/saved/pipe"), 0o644) }, "is not a regular file, directory or symlink"),
            ("models/saved", { dir in try FileManager.default.createSymbolicLink(atPath: dir.file("def/models/saved/l"), withDestinationPath: "/etc/passwd") }, "outside the model directory"),
            ("link.onnx", { dir in try FileManager.default.createSymbolicLink(atPath: dir.file("def/link.onnx"), withDestinationPath: "/etc/passwd") }, "is a symlink to '/etc/passwd', outside the definition's folder"),
            ("../outside.onnx", { dir in try dir.write("outside.onnx", "x") }, "leads outside the definition's folder"),
            ("models/empty.onnx", { dir in try dir.write("def/models/empty.onnx", "") }, "is empty"),
        ]
        for (model, plant, message) in plants {
            let dir = try TemporaryDirectory()
            let definition = try definitionFolder(dir, model: model)
            try plant(dir)
            let validate = try edgepack(["validate", definition])
            let export = try edgepack(["export", definition, "-o", dir.file("b.tar")])
            for result in [validate, export] {
                #expect(result.status == 1, "\(model): \(result.stdout)")
                #expect(result.stderr.split(separator: "\n").count == 1 && result.stderr.contains(message), "\(model): \(result.stderr)")
            }
            #expect(validate.stderr == export.stderr)
            #expect(!FileManager.default.fileExists(atPath: dir.file("b.tar")))
        }
    }

    @Test func allowOutsideLetsAModelLiveElsewhere() throws {
        let dir = try TemporaryDirectory()
        try dir.write("shared/model.onnx", "onnx")
        let definition = try definitionFolder(dir, model: dir.file("shared/model.onnx"))
        #expect(try edgepack(["validate", definition]).status == 1)
        let allowed = try edgepack(["export", definition, "-o", dir.file("b.tar"), "--allow-outside"])
        #expect(allowed.succeeded, "\(allowed.stderr)")
    }

    @Test func aMissingModelIsOneMessageAndControlCharactersAreEscaped() throws {
        let dir = try TemporaryDirectory()
        let missing = try edgepack(["validate", try definitionFolder(dir, model: "models/gone.onnx")])
        #expect(missing.stderr.split(separator: "\n").count == 1 && missing.stderr.contains("does not exist"), "\(missing.stderr)")
        let nul = try dir.write("nul.yaml", "name: demo\u{0}\n")
        let result = try edgepack(["validate", nul])
        #expect(result.status == 1)
        #expect(result.stderr.contains("\\u{0}") && !result.stderr.dropLast().unicodeScalars.contains { $0.value < 0x20 }, "\(result.stderr)")
    }

    @Test(arguments: [
        (["--concurrency", "-1"], "--concurrency takes 1 to 64, got -1"),
        (["--concurrency", "0"], "--concurrency takes 1 to 64"),
        (["--concurrency=1000"], "--concurrency takes 1 to 64"),
        (["--chunk-size", "1"], "--chunk-size takes a size from 4K to 2G"),
        (["--chunk-size", "-4M"], "--chunk-size takes a size from 4K to 2G"),
        (["--chunk-size", "9999999999999G"], "--chunk-size takes a size from 4K to 2G"),
        (["--registry", "http://127.0.0.1:5000/edge"], "names http://; give it without a scheme"),
    ])
    func boundsAndSchemesAreOneLine(arguments: [String], message: String) throws {
        let result = try edgepack(["publish", fixture("vgg16-clustering/edgepack.yaml")] + arguments)
        #expect(result.status != 0)
        #expect(result.stderr.split(separator: "\n").count == 1 && result.stderr.contains(message), "\(arguments): \(result.stderr)")
        #expect(!result.stderr.contains("Missing value"))
    }
}
