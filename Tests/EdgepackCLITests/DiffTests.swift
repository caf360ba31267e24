import Foundation
import Testing
import TestSupport

/// `edgepack diff A B`: what changed between two releases, and what a delta bundle between them carries.
@Suite struct DiffTests {
    struct Report: Decodable {
        struct Row: Decodable { var repository: String; var kind: String; var change: String }
        struct Totals: Decodable { var delta_blobs: Int; var delta_bytes: Int64; var delta_bundle_bytes: Int64; var shared_blobs: Int }
        var rows: [Row]
        var totals: Totals
    }

    @Test func diffNamesTheChangedModelAndTheDeltaExportWrites() throws {
        let dir = try TemporaryDirectory()
        let project = try copyFixture("ccfraud", into: dir)
        #expect(try edgepack(["export", project + "/edgepack.yaml", "-o", dir.file("a.tar")]).succeeded)
        let bytes = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 2654435761 >> 13) }
        try Data(bytes).write(to: URL(fileURLWithPath: project + "/models/ccfraud-xgb.onnx"))
        #expect(try edgepack(["export", project + "/edgepack.yaml", "-o", dir.file("b.tar")]).succeeded)
        #expect(try edgepack(["export", project + "/edgepack.yaml", "-o", dir.file("delta.tar"), "--since", dir.file("a.tar")]).succeeded)

        let result = try edgepack(["diff", dir.file("a.tar"), dir.file("b.tar"), "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSONDecoder().decode(Report.self, from: Data(result.stdout.utf8))
        let changes = Dictionary(uniqueKeysWithValues: report.rows.map { ($0.repository, $0.change) })
        #expect(changes["models/ccfraud-xgb"] == "changed")
        #expect(changes["models/ccfraud"] == "same" && changes["models/aloha"] == "same")
        #expect(changes["pipelines/ccfraud-pipeline"] == "changed", "the pipeline carries the model's layer")

        // What the delta bundle holds, as bsdtar lists it: the same blobs, and its size within 1%.
        let listing = try run("bsdtar", ["-tvf", dir.file("delta.tar")])
        let blobs = listing.stdout.split(separator: "\n").filter { $0.contains("blobs/sha256/") && !$0.hasPrefix("d") }
        let blobBytes = blobs.compactMap { Int64($0.split(separator: " ", omittingEmptySubsequences: true)[4]) }.reduce(0, +)
        #expect(report.totals.delta_blobs == blobs.count)
        #expect(report.totals.delta_bytes == blobBytes)
        let written = try #require(try FileManager.default.attributesOfItem(atPath: dir.file("delta.tar"))[.size] as? Int64)
        #expect(abs(Double(report.totals.delta_bundle_bytes - written)) <= Double(written) * 0.01, "\(report.totals.delta_bundle_bytes) vs \(written)")

        let table = try edgepack(["diff", dir.file("a.tar"), dir.file("b.tar")])
        #expect(table.stdout.contains("models/ccfraud-xgb") && table.stdout.contains("changed"))
        #expect(table.stdout.contains("delta:  \(blobs.count) blobs"), "\(table.stdout)")
    }

    @Test func aLayoutAndItsBundleDifferInNothing() throws {
        let dir = try TemporaryDirectory()
        #expect(try edgepack(["build", fixture("ccfraud/edgepack.yaml"), "-o", dir.file("layout")]).succeeded)
        #expect(try edgepack(["export", fixture("ccfraud/edgepack.yaml"), "-o", dir.file("b.tar")]).succeeded)
        let result = try edgepack(["diff", dir.file("layout"), dir.file("b.tar"), "--json"])
        let report = try JSONDecoder().decode(Report.self, from: Data(result.stdout.utf8))
        #expect(report.rows.allSatisfy { $0.change == "same" } && report.rows.count == 6, "\(result.stdout)")
        // Nothing changed: a delta carries only the manifests, configs, chart and compose a push always reads.
        #expect(try edgepack(["export", fixture("ccfraud/edgepack.yaml"), "-o", dir.file("delta.tar"), "--since", dir.file("b.tar")]).succeeded)
        let listing = try run("bsdtar", ["-tf", dir.file("delta.tar")])
        #expect(report.totals.delta_blobs == listing.stdout.split(separator: "\n").filter { $0.hasPrefix("blobs/sha256/") && $0.count > 20 }.count)
    }

    @Test func aMissingSideIsOneLine() throws {
        let result = try edgepack(["diff", "/nonexistent/a.tar", fixture("ccfraud/edgepack.yaml")])
        #expect(result.status == 1 && result.stderr == "edgepack: error: cannot read /nonexistent/a.tar: no such file or folder, and not a published version; give a bundle (edgepack export), a layout folder (edgepack build) or HOST/PREFIX/pipelines/NAME:VERSION\n")
    }

    /// Two published versions in a registry: the changed model, the same one, and what a delta would carry.
    @Test func twoPublishedVersionsDifferInTheirChangedModel() throws {
        let registry = "\(registries.token)/diff\(UUID().uuidString.prefix(6).lowercased())"
        let dir = try TemporaryDirectory()
        let definition = try randomModelsPipeline([4096, 200_000], named: "differ", in: dir)
        struct Record: Decodable { var pipeline_version: String }
        func publishVersion() throws -> String {
            let result = try edgepack(["publish", definition, "--registry", registry, "--json", "-q"], environment: pusher)
            guard result.succeeded else { throw TestFailure("publish: \(result.stderr)") }
            return try JSONDecoder().decode(Record.self, from: Data(result.stdout.utf8)).pipeline_version
        }
        let v1 = try publishVersion()
        try writeRandomModel(dir.file("models/m1.bin"), bytes: 200_000)
        let v2 = try publishVersion()
        let result = try edgepack(["diff", "\(registry)/pipelines/differ:\(v1)", "\(registry)/pipelines/differ:\(v2)", "--json"], environment: pusher)
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSONDecoder().decode(Report.self, from: Data(result.stdout.utf8))
        let changes = Dictionary(uniqueKeysWithValues: report.rows.map { ($0.repository, $0.change) })
        #expect(changes["models/m1"] == "changed" && changes["models/m0"] == "same" && changes["pipelines/differ"] == "changed", "\(result.stdout)")
        #expect(changes["charts/differ"] != nil && changes["compose/differ"] != nil)
        #expect(report.totals.delta_bytes >= 200_000 && report.totals.delta_bytes < 220_000, "the new model and small manifests: \(report.totals)")

        let unknown = try edgepack(["diff", "\(registry)/pipelines/differ:\(v1)", "\(registry)/pipelines/differ:11111111-1111-5111-8111-111111111111"], environment: pusher)
        #expect(unknown.status == 1 && unknown.stderr.contains("list the versions with 'edgepack publishes differ --registry \(registry)'"), "\(unknown.stderr)")
    }
}
