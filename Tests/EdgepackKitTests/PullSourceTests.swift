import Foundation
import Testing
import TestSupport
@testable import EdgepackKit
@testable import OCIKit

@Suite struct PullSourceTests {
    /// A pull is a copy from any source: from an offline bundle (no registry at all), the folder an edge engine
    /// reads, every file the model's bytes (a directory model unpacked), nothing left beside it.
    @Test func aPipelineIsPulledFromABundle() throws {
        let dir = try TemporaryDirectory()
        let build = try buildFixture(fixture("ccfraud/edgepack.yaml"))
        try Copier.copy(build.release.artifacts, to: LayoutArchiveDestination(path: dir.file("bundle.tar"), mtime: 0))
        let bundle = try ImageLayoutBundle(path: dir.file("bundle.tar"))
        let pipeline = build.release.pipeline
        try FileManager.default.createDirectory(atPath: dir.file("out"), withIntermediateDirectories: true)
        let (config, layers) = try Puller.pull(manifest: pipeline.manifestBlob, named: pipeline.reference, into: dir.file("out/edge"),
                                               concurrency: 2) { _ in (bundle, Repository(unchecked: pipeline.repository)) }
        #expect(config.id == build.config.id && config.version == build.config.version)
        #expect(layers.count == build.release.models.count)
        for layer in layers {
            #expect(build.release.models.contains { $0.spec.name == layer.name && $0.version == layer.version && "sha256:\($0.sha)" == layer.digest }, "\(layer.name)")
            var isDirectory: ObjCBool = false
            #expect(FileManager.default.fileExists(atPath: layer.path, isDirectory: &isDirectory))
            if isDirectory.boolValue {
                #expect(try FileManager.default.contentsOfDirectory(atPath: layer.path).count > 0, "\(layer.path)")
            } else {
                #expect(try FileDigester(cache: nil).digest(file: layer.path).digest.string == layer.digest)
            }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("out")) == ["edge"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("out/edge")).sorted() == [".edgepack-pull", "models", "pipeline.json"])
    }
}
