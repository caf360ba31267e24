/// `compose.yaml` for `docker compose up`: one service, `engine`.
struct ComposeFile: Encodable, Sendable {
    struct Service: Encodable, Sendable {
        var image: String
        var ports = ["8080:8080"]
        var environment: OrderedMapping<String>
        var deploy: Deploy
        var volumes = ["persist:/persist"]
        var restart = "unless-stopped"
        var healthcheck = Healthcheck()
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
