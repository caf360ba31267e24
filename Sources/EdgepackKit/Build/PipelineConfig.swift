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
