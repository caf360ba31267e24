/// `Chart.yaml`, and (as JSON) the config blob of the chart's OCI artifact, as `helm push` writes it.
public struct ChartMetadata: Codable, Sendable, Equatable {
    public var apiVersion = "v2"
    public var name: String
    public var description: String
    public var type = "application"
    public var version: String
    public var appVersion: String
    public var annotations: [String: String]

    enum CodingKeys: String, CodingKey {
        case apiVersion, name, description, type, version, appVersion, annotations
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(apiVersion, forKey: .apiVersion)
        try container.encode(name, forKey: .name)
        try container.encode(description, forKey: .description)
        try container.encode(type, forKey: .type)
        try container.encode(version, forKey: .version)
        try container.encode(appVersion, forKey: .appVersion)
        try container.encode(OrderedMapping(annotations.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }), forKey: .annotations)
    }
}

/// `values.yaml`: keys follow the chart Wallaroo publishes, so people who know it feel at home.
struct HelmValues: Encodable, Sendable {
    struct Image: Encodable, Sendable {
        var repository: String
        var tag: String
        var digest: String
        var pullPolicy = "IfNotPresent"
    }

    struct OCIRegistry: Encodable, Sendable {
        var registry: String
        var username: String
        var password: String
        var existingSecret = ""
    }

    struct EngineValues: Encodable, Sendable {
        var cpus: PlainNumber
        var memory: String
        var pipelineUrl: String
        var extraEnv: [EnvVar] = []
    }

    struct EnvVar: Encodable, Sendable {
        var name: String
        var value: String
    }

    struct Amount: Encodable, Sendable {
        var cpu: String
        var memory: String
    }

    struct ResourceValues: Encodable, Sendable {
        var limits: OrderedMapping<String>
        var requests: OrderedMapping<String>
    }

    /// A sidekick: the chart runs a container for it beside the engine when `image` is set.
    struct AuxImage: Encodable, Sendable {
        var image: String
        var resources: ResourceValues
    }

    struct EngineAux: Encodable, Sendable {
        var images: OrderedMapping<AuxImage>
    }

    /// Models as image volumes (`mount: imageVolume`, Kubernetes 1.33 or later), from the images `--model-images` builds.
    struct ModelValues: Encodable, Sendable {
        var mount = "none"
        var images: OrderedMapping<String>
    }

    struct Service: Encodable, Sendable {
        var type = "ClusterIP"
        var port = 8080
        var metricsPort = 9000
    }

    struct Ingress: Encodable, Sendable {
        var enabled = false
        var className = ""
        var host = ""
        var annotations = OrderedMapping<String>()
        var tls: [String] = []
    }

    var replicas: Int
    var image: Image
    var imagePullSecrets: [String] = []
    var ociRegistry: OCIRegistry
    var engine: EngineValues
    var engineAux: EngineAux
    var models: ModelValues
    var resources: ResourceValues
    var service = Service()
    var ingress = Ingress()
    var nodeSelector = OrderedMapping<String>()
    var tolerations: [String] = []
    var affinity = OrderedMapping<String>()
    var podAnnotations = OrderedMapping<String>()

    /// CPU and memory, and the accelerator's devices under its Kubernetes resource name (`amd.com/gpu` for ROCm).
    static func resources(_ resources: Resources, accel: Accelerator) -> ResourceValues {
        var amounts: [(key: String, value: String)] = [("cpu", NumberText.format(resources.cpus)), ("memory", resources.memory)]
        if resources.gpus > 0 { amounts.append((accel.gpuResource, String(resources.gpus))) }
        return ResourceValues(limits: OrderedMapping(amounts), requests: OrderedMapping(amounts))
    }
}
