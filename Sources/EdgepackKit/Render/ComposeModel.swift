/// `compose.yaml` for `docker compose up`: the service `engine`, and `sidekick-MODEL` for each sidekick with an image.
struct ComposeFile: Encodable, Sendable {
    struct Service: Encodable, Sendable {
        var image: String
        var ports: [String]? = ["8080:8080"]
        var environment: OrderedMapping<String>
        /// Host devices (ROCm GPUs: /dev/kfd and /dev/dri).
        var devices: [String]?
        var deploy: Deploy
        var volumes: [Volume]? = [.named("persist:/persist")]
        var restart = "unless-stopped"
        var healthcheck: Healthcheck? = Healthcheck()
    }

    /// A volume in compose's short form (`persist:/persist`), or a model image mounted read-only (`type: image`).
    enum Volume: Encodable, Sendable {
        case named(String)
        /// `subpath`: the folder of the image to mount, instead of its root.
        case image(source: String, target: String, subpath: String)

        enum CodingKeys: String, CodingKey { case type, source, target, read_only, image }
        struct ImageOptions: Encodable, Sendable { var subpath: String }

        func encode(to encoder: any Encoder) throws {
            switch self {
            case .named(let text):
                var container = encoder.singleValueContainer()
                try container.encode(text)
            case .image(let source, let target, let subpath):
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode("image", forKey: .type)
                try container.encode(source, forKey: .source)
                try container.encode(target, forKey: .target)
                try container.encode(true, forKey: .read_only)
                try container.encode(ImageOptions(subpath: subpath), forKey: .image)
            }
        }
    }

    struct Deploy: Encodable, Sendable {
        var resources: DeployResources
    }

    struct DeployResources: Encodable, Sendable {
        var limits: Limits
        var reservations: Reservations?
    }

    struct Limits: Encodable, Sendable {
        var cpus: String
        var memory: String
    }

    struct Reservations: Encodable, Sendable {
        var devices: [Device]
    }

    struct Device: Encodable, Sendable {
        var driver = "nvidia"
        var count: Int
        var capabilities = ["gpu"]
    }

    struct Healthcheck: Encodable, Sendable {
        var test = ["CMD-SHELL", "curl -fsS http://localhost:8080/healthz || wget -q -O /dev/null http://localhost:8080/healthz"]
        var interval = "10s"
        var timeout = "5s"
        var retries = 6
        var start_period = "30s"
    }

    /// Limits, and GPUs as `docker run` gets them in the SDK's commands: ROCm as devices, any other as `--gpus`.
    static func deploy(_ resources: Resources, accel: Accelerator) -> (Deploy, devices: [String]?) {
        let limits = Limits(cpus: NumberText.format(resources.cpus), memory: memory(resources.memory))
        guard resources.gpus > 0 else { return (Deploy(resources: .init(limits: limits)), nil) }
        if accel == .rocm { return (Deploy(resources: .init(limits: limits)), ["/dev/kfd", "/dev/dri"]) }
        return (Deploy(resources: .init(limits: limits, reservations: Reservations(devices: [Device(count: resources.gpus)]))), nil)
    }

    var services: OrderedMapping<Service>
    var volumes: OrderedMapping<OrderedMapping<String>>

    /// Compose reads memory with Docker's units, where `g` means GiB: Kubernetes' binary suffixes map
    /// directly (`4Gi` -> `4g`); anything else is written as bytes.
    static func memory(_ quantity: String) -> String {
        for (suffix, unit) in [("Ki", "k"), ("Mi", "m"), ("Gi", "g"), ("Ti", "t"), ("Pi", "p")] where quantity.hasSuffix(suffix) {
            let number = quantity.dropLast(2)
            if number.allSatisfy(\.isNumber) { return number + unit }
        }
        return String(QuantityText.bytes(quantity) ?? 0)
    }
}

/// Kubernetes quantities in bytes.
enum QuantityText {
    static func bytes(_ quantity: String) -> Int64? {
        let suffixes: [(String, Double)] = [
            ("Ki", 0x1p10), ("Mi", 0x1p20), ("Gi", 0x1p30), ("Ti", 0x1p40), ("Pi", 0x1p50), ("Ei", 0x1p60),
            ("k", 1e3), ("M", 1e6), ("G", 1e9), ("T", 1e12), ("P", 1e15), ("E", 1e18), ("m", 1e-3),
        ]
        for (suffix, factor) in suffixes where quantity.hasSuffix(suffix) {
            guard let number = Double(quantity.dropLast(suffix.count)) else { return nil }
            return Int64((number * factor).rounded(.up))
        }
        return Double(quantity).map { Int64($0.rounded(.up)) }
    }
}
