/// An `edgepack.yaml`, validated, with every default applied (see docs/definition.md).
public struct PipelineDefinition: Sendable, Equatable {
    public var name: String
    public var version: String?
    public var registry: String?
    public var engine: Engine
    public var deployment: Deployment
    public var models: [ModelSpec]
    public var steps: [Step]
    /// The definition file as the user named it, for messages.
    public var sourcePath: String
    /// The folder relative paths in the definition (models, image sources) start from.
    public var baseDirectory: String = "."

    public func model(named name: String) -> ModelSpec? {
        models.first { $0.name == name }
    }
}

public struct Engine: Sendable, Equatable {
    /// The engine image as the pipeline names it (where it lives, and the tag its mirror gets).
    public var image: String
    /// Copy the image into the release (the registry's `engine` repository, the bundle's `engine:TAG`).
    public var mirror: Bool = true
    /// Where to read the image from when not from `image` itself: `oci-archive:PATH[:REF]`, `oci:DIR[:REF]`,
    /// `docker-archive:PATH[:REF]` (relative to the definition) or another registry reference.
    public var source: String?

    public init(image: String, mirror: Bool = true, source: String? = nil) {
        self.image = image
        self.mirror = mirror
        self.source = source
    }
}

public struct Resources: Sendable, Equatable {
    public var cpus: Double
    public var memory: String
    public var gpus: Int

    public static let engineDefault = Resources(cpus: 1, memory: "1Gi", gpus: 0)
}

public struct Deployment: Sendable, Equatable {
    public var replicas: Int = 1
    public var resources: Resources = .engineDefault
    public var arch: Architecture = .x86
    public var accel: Accelerator = .none
    /// The compile settings when `accel` is `qaic` (Wallaroo's `{"qaic": {…}}` form).
    public var qaic: QaicConfig = QaicConfig()
    /// Per-model containers (Wallaroo's engineAux), in definition order.
    public var sidekicks: [Sidekick] = []
    /// Each model is also published as an image Kubernetes can mount (`models_as_images`).
    public var modelsAsImages = false
}

public struct Sidekick: Sendable, Equatable {
    public var model: String
    public var resources: Resources
    public var arch: Architecture = .x86
    public var accel: Accelerator = .none
    public var qaic: QaicConfig = QaicConfig()
    /// The sidekick's own container image; without one, nothing runs beside the engine for this model.
    public var image: String?
    /// Where to read `image` from for its mirror, as `engine.source`.
    public var source: String?
}

public enum Architecture: String, Sendable, CaseIterable {
    case x86, arm, power10
}

/// Wallaroo's `Acceleration` values, with its rule of which architecture each runs on.
public enum Accelerator: String, Sendable, CaseIterable {
    case none, cuda, jetson, openvino, qaic, rocm

    public func runs(on arch: Architecture) -> Bool {
        switch self {
        case .none, .cuda: true
        case .jetson: arch == .arm
        case .openvino, .qaic, .rocm: arch == .x86
        }
    }

    /// The Kubernetes extended resource that counts this accelerator's devices (Wallaroo's `_get_gpu_resource`).
    public var gpuResource: String {
        switch self {
        case .openvino: "gpu.intel.com/i915"
        case .qaic: "qualcomm.com/qaic"
        case .rocm: "amd.com/gpu"
        case .none, .cuda, .jetson: "nvidia.com/gpu"
        }
    }

    static let gpuResources = ["nvidia.com/gpu", "amd.com/gpu", "gpu.intel.com/i915", "qualcomm.com/qaic"]
}

/// Wallaroo's `QaicConfig`: how a model is compiled for Qualcomm Cloud AI; defaults as the SDK's.
public struct QaicConfig: Codable, Sendable, Equatable {
    public var aicEnableDepthFirst = false
    public var ctxLen = 128
    public var fullBatchSize = 8
    public var mxfp6Matmul = false
    public var mxint8KvCache = false
    public var numCores = 16
    public var numDevices = 1
    public var prefillSeqLen = 32

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case aicEnableDepthFirst = "aic_enable_depth_first", ctxLen = "ctx_len", fullBatchSize = "full_batch_size"
        case mxfp6Matmul = "mxfp6_matmul", mxint8KvCache = "mxint8_kv_cache", numCores = "num_cores"
        case numDevices = "num_devices", prefillSeqLen = "prefill_seq_len"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = QaicConfig()
        aicEnableDepthFirst = try container.decodeIfPresent(Bool.self, forKey: .aicEnableDepthFirst) ?? defaults.aicEnableDepthFirst
        ctxLen = try container.decodeIfPresent(Int.self, forKey: .ctxLen) ?? defaults.ctxLen
        fullBatchSize = try container.decodeIfPresent(Int.self, forKey: .fullBatchSize) ?? defaults.fullBatchSize
        mxfp6Matmul = try container.decodeIfPresent(Bool.self, forKey: .mxfp6Matmul) ?? defaults.mxfp6Matmul
        mxint8KvCache = try container.decodeIfPresent(Bool.self, forKey: .mxint8KvCache) ?? defaults.mxint8KvCache
        numCores = try container.decodeIfPresent(Int.self, forKey: .numCores) ?? defaults.numCores
        numDevices = try container.decodeIfPresent(Int.self, forKey: .numDevices) ?? defaults.numDevices
        prefillSeqLen = try container.decodeIfPresent(Int.self, forKey: .prefillSeqLen) ?? defaults.prefillSeqLen
    }
}

public enum Framework: String, Sendable, CaseIterable {
    case onnx, tensorflow, pytorch, sklearn, xgboost, huggingFace = "hugging-face", python, custom, mlflow

    public var defaultRuntime: Runtime {
        switch self {
        case .onnx: .onnx
        case .tensorflow: .tensorflow
        case .mlflow: .mlflow
        default: .flight
        }
    }
}

public enum Runtime: String, Sendable, CaseIterable {
    case onnx, tensorflow, mlflow, flight
}

/// One named, typed column of a model's input or output (an Arrow field).
public struct SchemaField: Sendable, Equatable {
    public var name: String
    public var type: String
}

public struct ModelSpec: Sendable, Equatable {
    public var name: String
    /// As written in the definition (relative to it).
    public var path: String
    /// Resolved against the definition's directory.
    public var resolvedPath: String
    public var isDirectory: Bool
    public var framework: Framework
    public var runtime: Runtime
    public var version: String?
    public var inputSchema: [SchemaField]
    public var outputSchema: [SchemaField]
}

/// One entry of `steps`; each becomes one or more of Wallaroo's steps (see `PipelineStep`).
public enum Step: Sendable, Equatable {
    /// `model: A` and `models: [A, B]`: one ModelInference.
    case models([String])
    case shadow(champion: String, challengers: [String])
    /// A random split; with a key, the value at that key picks the model instead of a random number.
    case split(key: String?, weights: [SplitWeight])
    /// Routes on the value at `key`: a listed value goes to its model, anything else to `defaultModel`.
    case keySplit(key: String, defaultModel: String, routes: [KeyRoute])
    /// Keeps only output `index` of the models' outputs (Nth).
    case select(Int)
    /// Audit-logs the outputs in the slice `from..<to` (`to` nil: to the end).
    case audit(from: Int, to: Int?)
    case multiOut

    public static func model(_ name: String) -> Step { .models([name]) }

    /// How many of Wallaroo's steps this one becomes in the pipeline config (ArtifactBuilder's expansion: a
    /// shadow is ModelInference, AuditResults and MultiOut), which is what `inspect` lists and counts.
    public var engineStepCount: Int {
        if case .shadow = self { return 3 }
        return 1
    }

    public var modelNames: [String] {
        switch self {
        case .models(let names): names
        case .shadow(let champion, let challengers): [champion] + challengers
        case .split(_, let weights): weights.map(\.model)
        case .keySplit(_, let defaultModel, let routes): [defaultModel] + routes.map(\.model)
        case .select, .audit, .multiOut: []
        }
    }
}

public struct SplitWeight: Sendable, Equatable {
    public var model: String
    public var weight: Double
}

public struct KeyRoute: Sendable, Equatable {
    public var value: String
    public var model: String
}
