import Foundation
import Testing
import TestSupport

/// `pull --model NAME`: the pipeline config and only the models named; an unknown name is one line listing the
/// pipeline's models, with nothing written.
@Suite(.serialized) struct PartialPullTests {
    @Test func pullWritesOnlyTheModelsNamed() throws {
        let path = "partial\(UUID().uuidString.prefix(6).lowercased())"
        let registry = "\(registries.token)/\(path)"
        let (published, record) = try publish("ccfraud/edgepack.yaml", registry: registry)  // ccfraud, ccfraud-xgb and aloha (a directory)
        #expect(published.succeeded, "\(published.stderr)")
        let url = try #require(record).pipeline_url
        let dir = try TemporaryDirectory()

        // Through the fault proxy, the other models' layers answer 404: a pull that asked for them would fail.
        let manifest = try edgepack(["inspect", url, "--manifest"], environment: pusher)
        let layers = try #require((try JSONSerialization.jsonObject(with: Data(manifest.stdout.utf8)) as? [String: Any])?["layers"] as? [[String: Any]])
        for layer in layers where (layer["annotations"] as? [String: String])?["name"] != "ccfraud" {
            let digest = try #require(layer["digest"] as? String)
            try registries.injectFaults(status: "404", count: 20, method: "GET", match: "/v2/\(path)/pipelines/ccfraud-pipeline/blobs/\(digest)")
        }
        let throughFaults = registries.flaky + url.dropFirst(registries.token.count)
        let one = try edgepack(["pull", throughFaults, "-o", dir.file("one"), "--model", "ccfraud", "--json"], environment: pusher)
        #expect(one.succeeded, "\(one.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("one/models")) == ["ccfraud"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("one")).sorted() == [".edgepack-pull", "models", "pipeline.json"])
        let pulled = try #require(try JSONSerialization.jsonObject(with: Data(one.stdout.utf8)) as? [[String: Any]])
        #expect(pulled.map { $0["name"] as? String } == ["ccfraud"])
        let marker = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir.file("one/.edgepack-pull")))) as? [String: Any])
        #expect(marker["models"] as? [String] == ["ccfraud"])
        let model = try run("cmp", [try #require(FileManager.default.subpaths(atPath: dir.file("one/models/ccfraud"))?.first { $0.hasSuffix(".onnx") })
            .map { dir.file("one/models/ccfraud/" + $0) }!, fixture("ccfraud/models/ccfraud.onnx")])
        #expect(model.succeeded, "\(model.stdout)")

        let all = try edgepack(["pull", throughFaults, "-o", dir.file("all")], environment: pusher)
        #expect(all.status == 1 && !FileManager.default.fileExists(atPath: dir.file("all")), "the faults did not bite: \(all.stderr)")

        let two = try edgepack(["pull", url, "-o", dir.file("two"), "--model", "aloha", "--model", "ccfraud-xgb", "-q"], environment: pusher)
        #expect(two.succeeded, "\(two.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("two/models")).sorted() == ["aloha", "ccfraud-xgb"])

        let unknown = try edgepack(["pull", url, "-o", dir.file("three"), "--model", "ccfraud", "--model", "nosuch"], environment: pusher)
        #expect(unknown.status == 1 && unknown.stderr.split(separator: "\n").count == 1, "\(unknown.stderr)")
        #expect(unknown.stderr.contains("no model 'nosuch'; its models are ccfraud, ccfraud-xgb, aloha"), "\(unknown.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.file("three")))
    }
}
