import Foundation
import Testing
import TestSupport
@testable import EdgepackKit
@testable import OCIKit

func buildFixture(_ path: String) throws -> PipelineBuild {
    let workspace = Workspace(useCache: false)
    return try workspace.build(workspace.load(path))
}

func json(_ value: some Encodable) throws -> String {
    String(decoding: try CanonicalJSON.encode(value), as: UTF8.self)
}

@Suite struct ArtifactBuilderTests {
    @Test func pipelineConfigUsesWallaroosStepForm() throws {
        let build = try buildFixture(fixture("ccfraud/edgepack.yaml"))
        let sha = { (name: String) in build.models.first { $0.spec.name == name }!.sha }
        let version = { (name: String) in build.models.first { $0.spec.name == name }!.version }
        let ref = { (name: String) in #"{"name":"\#(name)","sha":"\#(sha(name))","version":"\#(version(name))"}"# }
        #expect(try json(build.config.steps) == "[" + [
            #"{"ModelInference":{"models":[\#(ref("ccfraud")),\#(ref("ccfraud-xgb"))]}}"#,
            #"{"AuditResults":{"from":1,"to":null}}"#,
            #"{"MultiOut":{}}"#,
            #"{"RandomSplit":{"hash_key":"session_id","weights":[{"model":\#(ref("ccfraud")),"weight":2},{"model":\#(ref("aloha")),"weight":1}]}}"#,
        ].joined(separator: ",") + "]")
        #expect(build.config.id == "ccfraud-pipeline")
        #expect(build.config.version == "2c5968b7-62fa-49f8-9489-aaf84cfb80aa")
        #expect(version("ccfraud-xgb") == "90c3ea47-0e4f-4de6-9bea-af47e3c9da6f")
        #expect(sha("ccfraud") == "902070657f5d488ac44963a42fb9b0cfd2aa7767dee2f040ba3081692d63df71")
    }

    @Test func engineConfigHasWallaroosShape() throws {
        let build = try buildFixture(fixture("vgg16-clustering/edgepack.yaml"))
        #expect(try json(build.config.engineConfig) == #"{"engine":{"accel":"none","replicas":1,"resources":{"accel":"none","arch":"x86","gpu":false,"image":"ghcr.io/wallaroolabs/doc-samples/engine:v2023.3.0-main-3731","limits":{"cpu":0.25,"memory":"4Gi"},"requests":{"cpu":0.25,"memory":"4Gi"}}},"engineAux":{"images":{"vgg16-clustering":{"resources":{"accel":"none","arch":"x86","gpu":false,"image":null,"limits":{"cpu":1,"memory":"2Gi"},"requests":{"cpu":1,"memory":"2Gi"}}}}}}"#)
        let model = try #require(build.config.models.first)
        #expect(model.runtime == "flight" && model.framework == "custom")
        #expect(model.inputSchema == ["images": "fixed_size_list<fixed_size_list<fixed_size_list<int64, 3>, 32>, 32>"])
    }

    @Test func layersCarryTheEngineAnnotationsAndAreShared() throws {
        let build = try buildFixture(fixture("ccfraud/edgepack.yaml"))
        #expect(build.pipeline.reference == "pipelines/ccfraud-pipeline:2c5968b7-62fa-49f8-9489-aaf84cfb80aa")
        #expect(build.pipeline.manifest.artifactType == EdgepackMediaType.pipelineArtifact)
        #expect(build.pipeline.manifest.config.mediaType == EdgepackMediaType.pipelineConfig)
        #expect(build.pipeline.manifest.layers.count == 3)
        for model in build.models {
            let layer = try #require(build.pipeline.manifest.layers.first { $0.annotations?["name"] == model.spec.name })
            #expect(model.artifact.manifest.layers == [layer], "model and pipeline must share the same blob")
            #expect(model.artifact.reference == "models/\(model.spec.name):\(model.version)")
            #expect(model.artifact.manifest.artifactType == MediaType.ModelPack.artifactType)
            #expect(layer.annotations?["wallaroo_file_type"] == "model")
            #expect(layer.annotations?["runtime"] == model.spec.runtime.rawValue)
            #expect(layer.annotations?["version"] == model.version)
            #expect(layer.annotations?["filename"] == layer.annotations?[AnnotationKey.title])
            #expect(layer.annotations?["org.cncf.model.filepath"] == layer.annotations?["filename"])
            let metadata = try #require(layer.annotations?["org.cncf.model.file.metadata+json"])
            let fields = try #require(try JSONSerialization.jsonObject(with: Data(metadata.utf8)) as? [String: Any])
            #expect(fields["name"] as? String == layer.annotations?["filename"])
            #expect(fields["typeflag"] as? Int == (model.spec.isDirectory ? 5 : 0))
            #expect(fields["size"] as? Int == (model.spec.isDirectory ? 0 : Int(layer.size)))
        }
        let aloha = try #require(build.models.first { $0.spec.name == "aloha" })
        #expect(aloha.layer.descriptor.mediaType == MediaType.ModelPack.weightTar)
        #expect(aloha.layer.descriptor.annotations?["filename"] == "aloha-cnn-lstm")
        let config = try CanonicalJSON.decode(PipelineConfig.self, from: try #require(build.pipeline.config.content.bytesIfInMemory), what: "config")
        #expect(config == build.config)
    }

    @Test func versionsAreDerivedFromContent() throws {
        let one = try TemporaryDirectory(), two = try TemporaryDirectory()
        let first = try buildFixture(copyFixture("vgg16-clustering", into: one) + "/edgepack.yaml")
        let same = try buildFixture(copyFixture("vgg16-clustering", into: two) + "/edgepack.yaml")
        #expect(first.version == same.version)
        #expect(first.models[0].version == same.models[0].version)
        #expect(ValueFormat.isUUID(first.version))
        try Data("retrained".utf8).write(to: URL(fileURLWithPath: two.file("vgg16-clustering/models/vgg16-clustering/kmeans.pkl")))
        let retrained = try buildFixture(two.file("vgg16-clustering/edgepack.yaml"))
        #expect(retrained.version != first.version)
        #expect(retrained.models[0].version != first.models[0].version)
    }

    @Test func deploymentChangeChangesOnlyThePipelineVersion() throws {
        let dir = try TemporaryDirectory()
        let root = try copyFixture("vgg16-clustering", into: dir)
        let before = try buildFixture(root + "/edgepack.yaml")
        let text = try String(contentsOfFile: root + "/edgepack.yaml", encoding: .utf8).replacingOccurrences(of: "memory: 4Gi", with: "memory: 8Gi")
        try text.write(toFile: root + "/edgepack.yaml", atomically: true, encoding: .utf8)
        let after = try buildFixture(root + "/edgepack.yaml")
        #expect(after.version != before.version)
        #expect(after.models[0].version == before.models[0].version)
    }

    @Test func bundlesFromTwoCheckoutsAreByteIdentical() throws {
        let one = try TemporaryDirectory("checkout-a"), two = try TemporaryDirectory("checkout-b")
        for dir in [one, two] {
            let build = try buildFixture(copyFixture("ccfraud", into: dir) + "/edgepack.yaml")
            try Copier.copy(build.artifacts, to: LayoutArchiveDestination(path: dir.file("bundle.tar"), mtime: 0))
        }
        #expect(FileManager.default.contentsEqual(atPath: one.file("bundle.tar"), andPath: two.file("bundle.tar")))
    }

    @Test func nameBasedUUIDsFollowRFC9562() {
        // The DNS-namespace example from RFC 9562 appendix A.4.
        let dns: [UInt8] = [0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8]
        #expect(NameBasedUUID.make(namespace: dns, name: "www.example.com").text == "2ed6657d-e927-568b-95e1-2665a8aea6a2")
    }
}

extension BlobContent {
    var bytesIfInMemory: [UInt8]? {
        if case .bytes(let bytes) = self { return bytes }
        return nil
    }
}

@Suite struct PublisherOverLayoutTests {
    /// A build copied into an OCI layout instead of a registry: every artifact, and the record for it.
    @Test func copyingIntoALayoutGivesTheRecordAndEveryArtifact() throws {
        let dir = try TemporaryDirectory()
        let workspace = Workspace(useCache: false)
        let build = try workspace.build(workspace.load(fixture("ccfraud/edgepack.yaml")), registry: "registry.example.com/acme")
        try ReleaseCopy(build).copy(to: LayoutDirectoryDestination(directory: dir.file("layout"), digester: workspace.digester))
        let record = PublishRecord(build: build, manifests: [:], createdAt: Date())
        #expect(record.pipelineDigest == build.pipeline.manifestBlob.descriptor.digest.string)
        #expect(record.helm.reference == "registry.example.com/acme/charts/ccfraud-pipeline@\(build.chart.artifact.manifestBlob.descriptor.digest)")
        let index = try CanonicalJSON.decode(Index.self, from: Array(try Data(contentsOf: URL(fileURLWithPath: dir.file("layout/index.json")))), what: "index")
        #expect(Set(index.manifests.compactMap { $0.annotations?[AnnotationKey.refName] }) == Set(build.artifacts.map(\.reference)))
        let json = try record.json()
        for field in ["pipeline_name", "pipeline_version", "status", "engine_url", "pipeline_url", "pipeline_digest", "helm", "compose_url",
                      "models", "engine_config", "docker_run", "podman_run", "helm_install", "created_at", "docker_run_variables",
                      "user_images", "replaces", "created_by", "updated_at"] {
            #expect(json.contains("\"\(field)\""), "record lacks \(field)")
        }
    }
}
