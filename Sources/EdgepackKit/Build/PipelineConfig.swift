/// The pipeline config JSON an edge engine reads (the pipeline artifact's config blob), in Wallaroo's shape.
public struct PipelineConfig: Codable, Sendable, Equatable {
    public var id: String
    public var version: String
    public var steps: [PipelineStep]
    public var models: [ModelEntry]
    public var engineConfig: EngineConfig

    enum CodingKeys: String, CodingKey {
        case id, version, steps, models
        case engineConfig = "engine_config"
    }

    /// How a step refers to a model: by name, version and bare sha256 hex (as Wallaroo's engine does).
    public struct ModelReference: Codable, Sendable, Equatable {
        public var name: String
        public var version: String
        public var sha: String
    }

    public struct ModelEntry: Codable, Sendable, Equatable {
        public var name: String
        public var version: String
        public var sha: String
        public var framework: String
        public var runtime: String
        public var filename: String
        public var inputSchema: [String: String]?
        public var outputSchema: [String: String]?

        enum CodingKeys: String, CodingKey {
            case name, version, sha, framework, runtime, filename
            case inputSchema = "input_schema"
            case outputSchema = "output_schema"
        }
    }
}

/// A step in Wallaroo's serialised form: `{"ModelInference":{"models":[…]}}`, `{"RandomSplit":{…}}`,
/// `{"AuditResults":{"from":1,"to":null}}` and `"MultiOut"` (a shadow deployment is the last three together).
public enum PipelineStep: Codable, Sendable, Equatable {
    case modelInference([PipelineConfig.ModelReference])
    case randomSplit(hashKey: String, weights: [WeightedModel])
    case auditResults(from: Int, to: Int?)
    case multiOut

    public struct WeightedModel: Codable, Sendable, Equatable {
        public var model: PipelineConfig.ModelReference
        public var weight: Int
    }

    private enum Kind: String, CodingKey {
        case modelInference = "ModelInference", randomSplit = "RandomSplit", auditResults = "AuditResults"
    }
    private enum Field: String, CodingKey {
        case models, weights, from, to
        case hashKey = "hash_key"
    }

    public func encode(to encoder: any Encoder) throws {
        if case .multiOut = self {
            var single = encoder.singleValueContainer()
            try single.encode("MultiOut")
            return
        }
        var outer = encoder.container(keyedBy: Kind.self)
        switch self {
        case .modelInference(let models):
            var inner = outer.nestedContainer(keyedBy: Field.self, forKey: .modelInference)
            try inner.encode(models, forKey: .models)
        case .randomSplit(let hashKey, let weights):
            var inner = outer.nestedContainer(keyedBy: Field.self, forKey: .randomSplit)
            try inner.encode(hashKey, forKey: .hashKey)
            try inner.encode(weights, forKey: .weights)
        case .auditResults(let from, let to):
            var inner = outer.nestedContainer(keyedBy: Field.self, forKey: .auditResults)
            try inner.encode(from, forKey: .from)
            if let to { try inner.encode(to, forKey: .to) } else { try inner.encodeNil(forKey: .to) }
        case .multiOut:
            break
        }
    }

    public init(from decoder: any Decoder) throws {
        if let text = try? decoder.singleValueContainer().decode(String.self), text == "MultiOut" {
            self = .multiOut
            return
        }
        let outer = try decoder.container(keyedBy: Kind.self)
        if let inner = try? outer.nestedContainer(keyedBy: Field.self, forKey: .modelInference) {
            self = .modelInference(try inner.decode([PipelineConfig.ModelReference].self, forKey: .models))
        } else if let inner = try? outer.nestedContainer(keyedBy: Field.self, forKey: .randomSplit) {
            self = .randomSplit(hashKey: try inner.decode(String.self, forKey: .hashKey), weights: try inner.decode([WeightedModel].self, forKey: .weights))
        } else {
            let inner = try outer.nestedContainer(keyedBy: Field.self, forKey: .auditResults)
            self = .auditResults(from: try inner.decode(Int.self, forKey: .from), to: try inner.decodeIfPresent(Int.self, forKey: .to))
        }
    }
}

/// Wallaroo's deployment config: `{"engine":{"resources":{…},"replicas":N},"engineAux":{"images":{…}}}`.
public struct EngineConfig: Codable, Sendable, Equatable {
    public var engine: EngineSection
    public var engineAux: EngineAux

    public struct CPUAndMemory: Codable, Sendable, Equatable {
        public var cpu: Double
        public var memory: String
    }

    public struct ResourceSpec: Codable, Sendable, Equatable {
        public var limits: CPUAndMemory
        public var requests: CPUAndMemory
        public var arch: String?
        public var accel: String?
        public var gpu: Int
    }

    public struct EngineSection: Codable, Sendable, Equatable {
        public var resources: ResourceSpec
        public var replicas: Int
    }

    public struct EngineAux: Codable, Sendable, Equatable {
        public var images: [String: AuxImage]
    }

    public struct AuxImage: Codable, Sendable, Equatable {
        public var resources: ResourceSpec
    }

    init(_ deployment: Deployment) {
        func spec(_ resources: Resources, arch: String?, accel: String?) -> ResourceSpec {
            let amount = CPUAndMemory(cpu: resources.cpus, memory: resources.memory)
            return ResourceSpec(limits: amount, requests: amount, arch: arch, accel: accel, gpu: resources.gpus)
        }
        engine = EngineSection(
            resources: spec(deployment.resources, arch: deployment.arch.rawValue, accel: deployment.accel.rawValue),
            replicas: deployment.replicas
        )
        engineAux = EngineAux(images: Dictionary(uniqueKeysWithValues: deployment.sidekicks.map {
            ($0.model, AuxImage(resources: spec($0.resources, arch: nil, accel: nil)))
        }))
    }
}
