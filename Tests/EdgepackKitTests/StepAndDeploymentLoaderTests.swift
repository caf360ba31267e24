import Foundation
import Testing
import TestSupport
@testable import EdgepackKit
@testable import OCIKit

/// Every step kind and the deployment's accel/arch/sidekick settings, read from edgepack.yaml.
@Suite struct StepAndDeploymentLoaderTests {
    static func withSteps(_ steps: String) -> String {
        minimal.replacingOccurrences(of: "steps:\n  - model: m\n", with: """
              - name: n
                path: model-dir
                framework: custom
            steps:
            \(steps)

            """)
    }

    @Test func readsEveryStepKind() throws {
        let yaml = Self.withSteps("""
          - model: m
          - models: [m, n]
          - shadow: {champion: m, challengers: [n]}
          - split: {weights: {m: 0.75, n: 0.25}}
          - split: {key: session, weights: {m: 2, n: 1}}
          - key_split: {key: region, default: m, routes: {eu: n, us: m}}
          - select: 1
          - audit: "1:"
          - audit: ":2"
          - audit: "0:3"
          - multi_out: {}
        """)
        let steps = try parse(yaml).get().steps
        #expect(steps == [
            .models(["m"]), .models(["m", "n"]), .shadow(champion: "m", challengers: ["n"]),
            .split(key: nil, weights: [SplitWeight(model: "m", weight: 0.75), SplitWeight(model: "n", weight: 0.25)]),
            .split(key: "session", weights: [SplitWeight(model: "m", weight: 2), SplitWeight(model: "n", weight: 1)]),
            .keySplit(key: "region", defaultModel: "m", routes: [KeyRoute(value: "eu", model: "n"), KeyRoute(value: "us", model: "m")]),
            .select(1), .audit(from: 1, to: nil), .audit(from: 0, to: 2), .audit(from: 0, to: 3), .multiOut,
        ])
    }

    @Test(arguments: [
        ("  - models: []", "edgepack.yaml:12:13: 'steps[0].models' must be a non-empty list of model names"),
        ("  - models: [m, ghost]", "edgepack.yaml:12:17: steps[0] names model 'ghost', which is not defined in 'models'"),
        ("  - key_split: {key: region, default: ghost, routes: {eu: n}}", "edgepack.yaml:12:39: steps[0] names model 'ghost'"),
        ("  - key_split: {key: region, default: m, routes: {eu: nope}}", "edgepack.yaml:12:55: steps[0] names model 'nope'"),
        ("  - key_split: {default: m, routes: {eu: n}}", "edgepack.yaml:12:16: missing required key 'steps[0].key_split.key'"),
        ("  - key_split: {key: r, default: m, routes: {}}", "edgepack.yaml:12:45: steps[0].key_split.routes must map at least one value to a model"),
        ("  - select: -1", "edgepack.yaml:12:13: 'steps[0].select' must be at least 0, got -1"),
        ("  - select: first", "edgepack.yaml:12:13: 'steps[0].select' must be a whole number"),
        ("  - audit: 1..2", "edgepack.yaml:12:12: 'steps[0].audit' must be a slice of the outputs such as \"1:\""),
        ("  - audit: \"3:1\"", "edgepack.yaml:12:12: 'steps[0].audit' \"3:1\" selects no output"),
        ("  - multi_out: {x: 1}", "edgepack.yaml:12:16: 'steps[0].multi_out' takes no settings"),
        ("  - split: {weights: {m: fast}}", "edgepack.yaml:12:26: 'steps[0].split.weights.m' must be a number"),
        ("  - splitt: {weights: {m: 1}}", "edgepack.yaml:12:5: unknown key 'steps[0].splitt'; did you mean 'split'?"),
    ])
    func reportsStepMistakesWithTheirPosition(step: String, expected: String) throws {
        let found = try messages(Self.withSteps(step))
        #expect(found.contains { $0.hasPrefix(expected) }, "got: \(found)")
    }

    @Test func readsAccelArchAndSidekicks() throws {
        let yaml = minimal.replacingOccurrences(of: "models:", with: """
            deployment:
              gpus: 2
              accel: {qaic: {num_cores: 8, mxfp6_matmul: true}}
              sidekicks:
                m: {cpus: 2, memory: 1Gi, gpus: 1, accel: rocm, image: ghcr.io/acme/runtime:1.4}
            models:
            """)
        let deployment = try parse(yaml).get().deployment
        #expect(deployment.accel == .qaic && deployment.qaic.numCores == 8 && deployment.qaic.mxfp6Matmul && deployment.qaic.ctxLen == 128)
        let sidekick = try #require(deployment.sidekicks.first)
        #expect(sidekick.accel == .rocm && sidekick.arch == .x86 && sidekick.image == "ghcr.io/acme/runtime:1.4")
        #expect(sidekick.resources == Resources(cpus: 2, memory: "1Gi", gpus: 1))
        let config = EngineConfig(deployment, engineImage: "e:1")
        #expect(try json(config.engine.resources.accel) == #"{"qaic":{"aic_enable_depth_first":false,"ctx_len":128,"full_batch_size":8,"mxfp6_matmul":true,"mxint8_kv_cache":false,"num_cores":8,"num_devices":1,"prefill_seq_len":32}}"#)
        #expect(try json(config.engineAux.images["m"]!.resources.limits) == #"{"amd.com/gpu":1,"cpu":2,"memory":"1Gi"}"#)
        #expect(Deployment(config) == deployment, "a bundle's engine config gives back the deployment")
    }

    @Test(arguments: [
        ("deployment: {arch: x86, accel: jetson}", "edgepack.yaml:2:32: accel 'jetson' runs only on arch arm, not on x86"),
        ("deployment: {arch: arm, accel: rocm}", "edgepack.yaml:2:32: accel 'rocm' runs only on arch x86, not on arm"),
        ("deployment: {arch: power10, accel: openvino}", "edgepack.yaml:2:36: accel 'openvino' runs only on arch x86"),
        ("deployment: {accel: {qaic: {num_cores: 0}}}", "edgepack.yaml:2:40: 'deployment.accel.qaic.num_cores' must be at least 1"),
        ("deployment: {accel: {qaic: {colour: red}}}", "edgepack.yaml:2:29: unknown key 'deployment.accel.qaic.colour'"),
        ("deployment: {accel: {tpu: {}}}", "edgepack.yaml:2:22: unknown key 'deployment.accel.tpu'"),
        ("deployment: {sidekicks: {m: {image: 'not an image'}}}", "edgepack.yaml:2:37: 'deployment.sidekicks.m.image' 'not an image' is not an image reference"),
        ("deployment: {sidekicks: {m: {arch: arm, accel: qaic}}}", "edgepack.yaml:2:48: accel 'qaic' runs only on arch x86, not on arm"),
        ("deployment: {sidekicks: {m: {colour: red}}}", "edgepack.yaml:2:30: unknown key 'deployment.sidekicks.m.colour'"),
    ])
    func reportsDeploymentMistakesWithTheirPosition(deployment: String, expected: String) throws {
        let found = try messages(minimal.replacingOccurrences(of: "name: demo\n", with: "name: demo\n\(deployment)\n"))
        #expect(found.contains { $0.hasPrefix(expected) }, "got: \(found)")
    }

    @Test(arguments: [("arm", "jetson"), ("x86", "rocm"), ("x86", "qaic"), ("power10", "cuda"), ("arm", "none")])
    func acceptsWhatWallarooAccepts(arch: String, accel: String) throws {
        let yaml = minimal.replacingOccurrences(of: "name: demo\n", with: "name: demo\ndeployment: {arch: \(arch), accel: \(accel)}\n")
        let deployment = try parse(yaml).get().deployment
        #expect(deployment.accel.rawValue == accel && deployment.arch.rawValue == arch)
    }

    @Test func readsTheEngineConfigOfOlderBundles() throws {
        let old = #"{"engine":{"replicas":2,"resources":{"accel":"cuda","arch":"x86","gpu":1,"limits":{"cpu":4,"memory":"3Gi"},"requests":{"cpu":4,"memory":"3Gi"}}},"engineAux":{"images":{"m":{"resources":{"gpu":0,"limits":{"cpu":1,"memory":"2Gi"},"requests":{"cpu":1,"memory":"2Gi"}}}}}}"#
        let config = try CanonicalJSON.decode(EngineConfig.self, from: Array(old.utf8), what: "engine config")
        let deployment = Deployment(config)
        #expect(deployment.replicas == 2 && deployment.accel == .cuda && deployment.resources == Resources(cpus: 4, memory: "3Gi", gpus: 1))
        #expect(deployment.sidekicks == [Sidekick(model: "m", resources: Resources(cpus: 1, memory: "2Gi", gpus: 0))])
        #expect(config.engine.resources.gpu && config.engine.resources.image == nil)
    }
}
