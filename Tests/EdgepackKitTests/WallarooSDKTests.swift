import Foundation
import Testing
import TestSupport
@testable import EdgepackKit
@testable import OCIKit

/// Wallaroo's own SDK (PyPI `wallaroo`, in `.tools/venv-wallaroo` from scripts/setup) judges what edgepack writes:
/// steps, engine_config and the run commands (scripts/wallaroo-judge does every check in one Python process).
@Suite struct WallarooSDKTests {
    static let python = repositoryRoot + "/.tools/venv-wallaroo/bin/python"

    /// Deployments beyond the fixtures: each accelerator's GPU flags and config form, and GPUs only on a sidekick.
    static let deployments: [(name: String, yaml: String)] = [
        ("rocm", "deployment: {cpus: 4, memory: 3Gi, gpus: 1, accel: rocm}"),
        ("qaic", "deployment: {cpus: 1, memory: 2Gi, gpus: 2, accel: {qaic: {num_cores: 8, mxfp6_matmul: true}}}"),
        ("jetson", "deployment: {cpus: 0.5, memory: 512Mi, gpus: 1, arch: arm, accel: jetson}"),
        ("openvino", "deployment: {cpus: 1.5, memory: 1G, accel: openvino}"),
        ("sidekick-gpu", "deployment:\n  cpus: 0.25\n  sidekicks:\n    ccfraud: {cpus: 1.25, memory: 2Gi, gpus: 1, image: ghcr.io/acme/runtime:2}\n    ccfraud-xgb: {cpus: 0.1, memory: 100Mi}"),
    ]

    static func variant(_ deployment: String) -> String {
        """
        name: variant
        engine:
          image: ghcr.io/wallaroolabs/doc-samples/engine:v2025.1.0
        \(deployment)
        models:
          - {name: ccfraud, path: models/ccfraud.onnx, framework: onnx}
          - {name: ccfraud-xgb, path: models/ccfraud-xgb.onnx, framework: onnx}
        steps:
          - models: [ccfraud, ccfraud-xgb]

        """
    }

    static func judgeCase(_ name: String, _ build: PipelineBuild) throws -> [String: Any] {
        let record = PublishRecord(build: build, manifests: [:], createdAt: Date(timeIntervalSince1970: 0), createdBy: "test")
        return [
            "name": name,
            "pipeline_config": try JSONSerialization.jsonObject(with: Data(try CanonicalJSON.encode(build.config))),
            "record": try JSONSerialization.jsonObject(with: Data(record.json().utf8)),
        ]
    }

    @Test func wallaroosSDKReadsEveryStepEngineConfigAndCommandAsEdgepackWritesThem() throws {
        #expect(FileManager.default.isExecutableFile(atPath: Self.python), "no Wallaroo SDK virtualenv: run scripts/setup")
        let workspace = Workspace(useCache: false)
        var cases: [[String: Any]] = []
        for definition in ["ccfraud/edgepack.yaml", "vgg16-clustering/edgepack.yaml", "ccfraud/every-step.yaml"] {
            let build = try workspace.build(workspace.load(fixture(definition)), registry: "registry.example.com/acme/edge")
            cases.append(try Self.judgeCase(definition, build))
        }
        for (name, deployment) in Self.deployments {
            let definition = try DefinitionLoader.parse(Self.variant(deployment), file: name + ".yaml", baseDirectory: fixture("ccfraud"))
            cases.append(try Self.judgeCase(name, try workspace.build(definition, registry: "localhost:5000")))
        }
        let dir = try TemporaryDirectory()
        let input = try dir.write("cases.json", try JSONSerialization.data(withJSONObject: cases, options: [.sortedKeys]))
        let judged = try run(Self.python, [repositoryRoot + "/scripts/wallaroo-judge", input])
        #expect(judged.succeeded, "\(judged.stdout)\(judged.stderr)")
        #expect(judged.stdout.contains("wallaroo-judge: "), "\(judged.stderr)")
        #expect(!judged.stdout.contains("FAIL"))
    }

    @Test func commandsCarryWallaroosTotalsAndGPUFlags() throws {
        let workspace = Workspace(useCache: false)
        let ccfraud = try workspace.build(workspace.load(fixture("ccfraud/edgepack.yaml"))).commands
        #expect(ccfraud.dockerRun.contains("-e CONFIG_CPUS=4 --cpus=4.0 --memory=3g"))
        #expect(ccfraud.dockerRun.contains("-p $EDGE_PORT:8080"))
        let vgg = try workspace.build(workspace.load(fixture("vgg16-clustering/edgepack.yaml"))).commands
        #expect(vgg.podmanRun.contains("-e CONFIG_CPUS=1.0 --cpus=1.25 --memory=6g"))
        #expect(vgg.helmInstall.hasPrefix("helm install --atomic $HELM_INSTALL_NAME"))
        #expect(vgg.helmInstall.contains("--namespace $HELM_INSTALL_NAMESPACE"))
        let rocm = try workspace.build(try DefinitionLoader.parse(Self.variant(Self.deployments[0].yaml), file: "e.yaml", baseDirectory: fixture("ccfraud"))).commands
        #expect(rocm.dockerRun.contains("--device /dev/dri --device /dev/kfd --cpus=4.0"))
        let every = try workspace.build(workspace.load(fixture("ccfraud/every-step.yaml"))).commands
        #expect(every.dockerRun.contains("--gpus all --cpus=3.0 --memory=2g"))
        #expect(every.podmanRun.contains("--device nvidia.com/gpu=all --cpus=3.0"))
    }
}
