/// A step exactly as Wallaroo's SDK serialises it (`wallaroo/pipeline_config.py`, `Step.to_json`):
/// `{"ModelInference":{"models":[…]}}`, `{"RandomSplit":{"hash_key":…,"weights":[…]}}`,
/// `{"MetaValueSplit":{"split_key","control","routes"}}`, `{"Nth":{"index":N}}`,
/// `{"AuditResults":{"from":N,"to":M|null}}` and `{"MultiOut":{}}`.
public enum PipelineStep: Codable, Sendable, Equatable {
    case modelInference([PipelineConfig.ModelReference])
    case randomSplit(hashKey: String?, weights: [WeightedModel])
    case metaValueSplit(splitKey: String, control: PipelineConfig.ModelReference, routes: [String: PipelineConfig.ModelReference])
    case nth(index: Int)
    case auditResults(from: Int, to: Int?)
    case multiOut

    public struct WeightedModel: Codable, Sendable, Equatable {
        public var model: PipelineConfig.ModelReference
        public var weight: Double
    }

    private enum Kind: String, CodingKey {
        case modelInference = "ModelInference", randomSplit = "RandomSplit", metaValueSplit = "MetaValueSplit"
        case nth = "Nth", auditResults = "AuditResults", multiOut = "MultiOut"
    }
    private enum Field: String, CodingKey {
        case models, weights, from, to, control, routes, index
        case hashKey = "hash_key", splitKey = "split_key"
    }

    public func encode(to encoder: any Encoder) throws {
        var outer = encoder.container(keyedBy: Kind.self)
        switch self {
        case .modelInference(let models):
            var inner = outer.nestedContainer(keyedBy: Field.self, forKey: .modelInference)
            try inner.encode(models, forKey: .models)
        case .randomSplit(let hashKey, let weights):
            var inner = outer.nestedContainer(keyedBy: Field.self, forKey: .randomSplit)
            try inner.encode(hashKey, forKey: .hashKey)  // null when absent, as the SDK writes it
            try inner.encode(weights, forKey: .weights)
        case .metaValueSplit(let splitKey, let control, let routes):
            var inner = outer.nestedContainer(keyedBy: Field.self, forKey: .metaValueSplit)
            try inner.encode(splitKey, forKey: .splitKey)
            try inner.encode(control, forKey: .control)
            try inner.encode(routes, forKey: .routes)
        case .nth(let index):
            var inner = outer.nestedContainer(keyedBy: Field.self, forKey: .nth)
            try inner.encode(index, forKey: .index)
        case .auditResults(let from, let to):
            var inner = outer.nestedContainer(keyedBy: Field.self, forKey: .auditResults)
            try inner.encode(from, forKey: .from)
            try inner.encode(to, forKey: .to)
        case .multiOut:
            _ = outer.nestedContainer(keyedBy: Field.self, forKey: .multiOut)
        }
    }

    public init(from decoder: any Decoder) throws {
        // Bundles written before edgepack followed the SDK hold a bare "MultiOut".
        if let text = try? decoder.singleValueContainer().decode(String.self), text == Kind.multiOut.rawValue {
            self = .multiOut
            return
        }
        let outer = try decoder.container(keyedBy: Kind.self)
        guard outer.allKeys.count == 1, let kind = outer.allKeys.first else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "a step has exactly one kind"))
        }
        let inner = try outer.nestedContainer(keyedBy: Field.self, forKey: kind)
        switch kind {
        case .modelInference:
            self = .modelInference(try inner.decode([PipelineConfig.ModelReference].self, forKey: .models))
        case .randomSplit:
            self = .randomSplit(hashKey: try inner.decodeIfPresent(String.self, forKey: .hashKey),
                                weights: try inner.decode([WeightedModel].self, forKey: .weights))
        case .metaValueSplit:
            self = .metaValueSplit(splitKey: try inner.decode(String.self, forKey: .splitKey),
                                   control: try inner.decode(PipelineConfig.ModelReference.self, forKey: .control),
                                   routes: try inner.decode([String: PipelineConfig.ModelReference].self, forKey: .routes))
        case .nth:
            self = .nth(index: try inner.decode(Int.self, forKey: .index))
        case .auditResults:
            self = .auditResults(from: try inner.decode(Int.self, forKey: .from), to: try inner.decodeIfPresent(Int.self, forKey: .to))
        case .multiOut:
            self = .multiOut
        }
    }
}
