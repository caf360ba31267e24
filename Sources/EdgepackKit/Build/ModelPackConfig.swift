/// The config blob of a ModelPack model artifact (`application/vnd.cncf.model.config.v1+json`).
struct ModelPackConfig: Codable, Sendable {
    struct Descriptor: Codable, Sendable {
        var name: String
        var version: String
        var createdAt: String?
    }

    struct Config: Codable, Sendable {
        var format: String
    }

    struct ModelFS: Codable, Sendable {
        var type = "layers"
        var diffIds: [String]
    }

    var descriptor: Descriptor
    var config: Config
    var modelfs: ModelFS
}
