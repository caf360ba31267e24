import Foundation
import Testing
import TestSupport

@Suite struct CommandLineTests {
    @Test func versionIsPrinted() throws {
        let result = try edgepack(["--version"])
        #expect(result.succeeded)
        #expect(result.stdout.split(separator: ".").count == 3)
    }

    @Test func validateAcceptsTheFixtures() throws {
        let result = try edgepack(["validate", fixture("ccfraud/edgepack.yaml")])
        #expect(result.succeeded)
        #expect(result.stdout.contains("ok (pipeline ccfraud-pipeline, 3 models, 4 steps from 2 in the definition)"))
    }

    /// validate and inspect count steps the same way: as the engine runs them.
    @Test(arguments: ["ccfraud/edgepack.yaml", "ccfraud/every-step.yaml", "vgg16-clustering/edgepack.yaml"])
    func validateAndInspectCountTheSameSteps(definition: String) throws {
        let dir = try TemporaryDirectory()
        let validate = try edgepack(["validate", fixture(definition)])
        #expect(try edgepack(["build", fixture(definition), "-o", dir.file("layout")]).succeeded)
        let inspect = try edgepack(["inspect", dir.file("layout")])
        func count(_ text: String) -> String? {
            text.firstMatch(of: /(\d+) steps?\b/).map { String($0.1) }
        }
        #expect(count(validate.stdout) != nil && count(validate.stdout) == count(inspect.stdout), "\(validate.stdout)\n\(inspect.stdout)")
    }

    @Test func validateUsesEdgepackYamlInTheCurrentDirectory() throws {
        let result = try edgepack(["validate"], directory: fixture("vgg16-clustering"))
        #expect(result.succeeded, "\(result.stderr)")
    }

    @Test func validateReportsEveryErrorOnStderr() throws {
        let result = try edgepack(["validate", fixture("broken/many-errors.yaml")])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count >= 12)
        for line in lines { #expect(line.hasPrefix(fixture("broken/many-errors.yaml") + ":"), "\(line)") }
    }

    @Test func digestPrintsSha256LikeSha256sum() throws {
        let path = fixture("ccfraud/models/ccfraud.onnx")
        let ours = try edgepack(["digest", path, "--no-cache"])
        let theirs = try run("sha256sum", [path]).stdout.prefix(64)
        #expect(ours.stdout == "sha256:\(theirs) \(path)\n")
        #expect(try edgepack(["digest", path]).stdout == ours.stdout)
    }

    @Test func noCacheLeavesNoCacheBehind() throws {
        let dir = try TemporaryDirectory()
        let result = try edgepack(["export", fixture("ccfraud/edgepack.yaml"), "-o", dir.file("b.tar"), "--no-cache"], environment: ["EDGEPACK_CACHE_DIR": dir.file("cache")])
        #expect(result.succeeded, "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.file("cache")))
        #expect(try edgepack(["digest", fixture("ccfraud/models/ccfraud.onnx")], environment: ["EDGEPACK_CACHE_DIR": dir.file("cache")]).succeeded)
        #expect(FileManager.default.fileExists(atPath: dir.file("cache/digests")))
    }

    @Test func userErrorsAreOneLineWithNonZeroExit() throws {
        let dir = try TemporaryDirectory()
        let cases: [[String]] = [
            ["validate", dir.file("missing.yaml")],
            ["export", fixture("ccfraud/edgepack.yaml"), "-o", "/nonexistent-dir/bundle.tar"],
            ["digest", dir.file("nope.bin")],
            ["inspect", try dir.write("junk.tar", "not a tar at all")],
        ]
        for arguments in cases {
            let result = try edgepack(arguments)
            #expect(result.status == 1, "\(arguments)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
            #expect(result.stderr.hasPrefix("edgepack: error: "), "\(arguments): \(result.stderr)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["junk.tar"])
    }

    @Test func buildRefusesADirectoryThatIsNotALayout() throws {
        let dir = try TemporaryDirectory()
        try dir.write("out/notes.txt", "keep me")
        let result = try edgepack(["build", fixture("vgg16-clustering/edgepack.yaml"), "-o", dir.file("out")])
        #expect(result.status == 1)
        #expect(result.stderr.contains("is not an OCI image layout"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("out")) == ["notes.txt"])
    }

    @Test func unknownOptionIsAUsageError() throws {
        let result = try edgepack(["export", "-o", "x.tar", "--frobnicate"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("frobnicate"))
    }
}
