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

    public func model(named name: String) -> ModelSpec? {
        models.first { $0.name == name }
    }
}

public struct Engine: Sendable, Equatable {
    public var image: String
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
    /// Per-model containers (Wallaroo's engineAux), in definition order.
    public var sidekicks: [Sidekick] = []
}

public struct Sidekick: Sendable, Equatable {
    public var model: String
    public var resources: Resources
}

public enum Architecture: String, Sendable, CaseIterable {
    case x86, arm, power10
}

public enum Accelerator: String, Sendable, CaseIterable {
    case none, cuda, jetson, openvino, qaic
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

public enum Step: Sendable, Equatable {
    case model(String)
    case shadow(champion: String, challengers: [String])
    case split(key: String, weights: [SplitWeight])

    public var modelNames: [String] {
        switch self {
        case .model(let name): [name]
        case .shadow(let champion, let challengers): [champion] + challengers
        case .split(_, let weights): weights.map(\.model)
        }
    }
}

public struct SplitWeight: Sendable, Equatable {
    public var model: String
    public var weight: Int
}
