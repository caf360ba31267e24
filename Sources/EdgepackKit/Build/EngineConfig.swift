/// Wallaroo's `EngineConfig` (`wallaroo_ml_ops_api_client/models/engine_config.py`), shape and types as its SDK
/// writes them: `{"engine":{"resources":ResourcesSpec,"replicas":N},"engineAux":{"images":{MODEL:{"resources":ResourcesSpec}}}}`.
/// `replicas` is edgepack's own field beside `resources` (the SDK keeps unknown keys as they are); `accel` is
/// repeated there because that is where the SDK's `_generate_commands` looks for ROCm (`engine.accel`).
public struct EngineConfig: Codable, Sendable, Equatable {
    public var engine: EngineSection
    public var engineAux: EngineAux

    public struct EngineSection: Codable, Sendable, Equatable {
        public var resources: ResourcesSpec
        public var replicas: Int
        public var accel: Acceleration

        init(resources: ResourcesSpec, replicas: Int, accel: Acceleration) {
            self.resources = resources
            self.replicas = replicas
            self.accel = accel
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            resources = try container.decode(ResourcesSpec.self, forKey: .resources)
            replicas = try container.decodeIfPresent(Int.self, forKey: .replicas) ?? 1
            accel = try container.decodeIfPresent(Acceleration.self, forKey: .accel) ?? resources.accel
        }
    }

    public struct EngineAux: Codable, Sendable, Equatable {
        public var images: [String: AuxImage]
    }

    public struct AuxImage: Codable, Sendable, Equatable {
        public var resources: ResourcesSpec
    }

    init(_ deployment: Deployment, engineImage: String) {
        engine = EngineSection(
            resources: ResourcesSpec(deployment.resources, arch: deployment.arch, accel: deployment.accel, qaic: deployment.qaic, image: engineImage),
            replicas: deployment.replicas,
            accel: deployment.accel == .qaic ? .qaic(deployment.qaic) : .named(deployment.accel.rawValue)
        )
        engineAux = EngineAux(images: Dictionary(uniqueKeysWithValues: deployment.sidekicks.map {
            ($0.model, AuxImage(resources: ResourcesSpec($0.resources, arch: $0.arch, accel: $0.accel, qaic: $0.qaic, image: $0.image)))
        }))
    }

    /// Sidekicks in the order Wallaroo's SDK reads them from this JSON (keys sorted, as edgepack writes them).
    var sidekicks: [(model: String, resources: ResourcesSpec)] {
        engineAux.images.sorted { $0.key < $1.key }.map { ($0.key, $0.value.resources) }
    }
}

/// Wallaroo's `ResourcesSpec`: limits and requests, `accel` (a name, or `{"qaic":{…}}`), `arch`, `gpu` (a bool:
/// whether the container gets accelerators) and `image` (null when there is none). The device count rides in
/// limits and requests under its Kubernetes resource name (`nvidia.com/gpu`: N), as in Wallaroo's deployment config.
public struct ResourcesSpec: Codable, Sendable, Equatable {
    public var limits: ResourceAmounts
    public var requests: ResourceAmounts
    public var accel: Acceleration
    public var arch: String
    public var gpu: Bool
    public var image: String?

    enum CodingKeys: String, CodingKey { case limits, requests, accel, arch, gpu, image }

    init(_ resources: Resources, arch: Architecture, accel: Accelerator, qaic: QaicConfig, image: String?) {
        let amounts = ResourceAmounts(cpu: resources.cpus, memory: resources.memory,
                                      gpus: resources.gpus > 0 ? (accel.gpuResource, resources.gpus) : nil)
        limits = amounts
        requests = amounts
        self.accel = accel == .qaic ? .qaic(qaic) : .named(accel.rawValue)
        self.arch = arch.rawValue
        gpu = resources.gpus > 0
        self.image = image
    }

    /// Also reads what edgepack wrote before it followed the SDK's types (`gpu` a count, no arch, accel or image).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        limits = try container.decode(ResourceAmounts.self, forKey: .limits)
        requests = try container.decode(ResourceAmounts.self, forKey: .requests)
        accel = try container.decodeIfPresent(Acceleration.self, forKey: .accel) ?? .named(Accelerator.none.rawValue)
        arch = try container.decodeIfPresent(String.self, forKey: .arch) ?? Architecture.x86.rawValue
        if let flag = try? container.decodeIfPresent(Bool.self, forKey: .gpu) {
            gpu = flag
        } else {
            let count = try container.decodeIfPresent(Int.self, forKey: .gpu) ?? 0
            gpu = count > 0
            if count > 0, limits.gpus == nil {
                limits.gpus = (Accelerator(rawValue: accel.name)?.gpuResource ?? "nvidia.com/gpu", count)
                requests.gpus = limits.gpus
            }
        }
        image = try container.decodeIfPresent(String.self, forKey: .image)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(limits, forKey: .limits)
        try container.encode(requests, forKey: .requests)
        try container.encode(accel, forKey: .accel)
        try container.encode(arch, forKey: .arch)
        try container.encode(gpu, forKey: .gpu)
        try container.encode(image, forKey: .image)  // null when unset, as the SDK writes it
    }

    /// The accelerator's name (`qaic` for the config form).
    var accelerator: Accelerator { Accelerator(rawValue: accel.name) ?? .none }

    /// The definition's view of these resources (what a bundle carries of it).
    var resources: Resources {
        Resources(cpus: limits.cpu, memory: limits.memory, gpus: limits.gpus?.count ?? (gpu ? 1 : 0))
    }
}

/// `accel`: a plain name, or Wallaroo's acceleration-with-config form (`{"qaic":{…}}`).
public enum Acceleration: Codable, Sendable, Equatable {
    case named(String)
    case qaic(QaicConfig)

    var name: String {
        switch self {
        case .named(let name): name
        case .qaic: Accelerator.qaic.rawValue
        }
    }

    private struct QaicForm: Codable { var qaic: QaicConfig }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .named(let name):
            var container = encoder.singleValueContainer()
            try container.encode(name)
        case .qaic(let config):
            try QaicForm(qaic: config).encode(to: encoder)
        }
    }

    public init(from decoder: any Decoder) throws {
        if let name = try? decoder.singleValueContainer().decode(String.self) {
            self = .named(name)
        } else {
            self = .qaic(try QaicForm(from: decoder).qaic)
        }
    }
}

/// Wallaroo's `ResourceSpec` (`cpu` a number, `memory` a Kubernetes quantity) plus the device count, if any.
public struct ResourceAmounts: Codable, Sendable, Equatable {
    public var cpu: Double
    public var memory: String
    public var gpus: (resource: String, count: Int)?

    init(cpu: Double, memory: String, gpus: (resource: String, count: Int)?) {
        self.cpu = cpu
        self.memory = memory
        self.gpus = gpus
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ name: String) { stringValue = name }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(cpu, forKey: Key("cpu"))
        try container.encode(memory, forKey: Key("memory"))
        if let gpus { try container.encode(gpus.count, forKey: Key(gpus.resource)) }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        cpu = try container.decode(Double.self, forKey: Key("cpu"))
        memory = try container.decode(String.self, forKey: Key("memory"))
        gpus = try Accelerator.gpuResources.lazy.compactMap { resource in
            try container.decodeIfPresent(Int.self, forKey: Key(resource)).map { (resource, $0) }
        }.first
    }

    public static func == (lhs: ResourceAmounts, rhs: ResourceAmounts) -> Bool {
        lhs.cpu == rhs.cpu && lhs.memory == rhs.memory && lhs.gpus?.resource == rhs.gpus?.resource && lhs.gpus?.count == rhs.gpus?.count
    }
}

extension Acceleration {
    var qaicConfig: QaicConfig {
        if case .qaic(let config) = self { return config }
        return QaicConfig()
    }
}
