import Foundation

/// What `docker run`/`podman run` give the engine, worked out as Wallaroo's SDK does (`_generate_commands`):
/// CPUs and memory summed over the engine and every sidekick, GPU flags when any of them has GPUs.
struct RunTotals {
    var cpus: Double
    var memoryBytes: Int64
    var engineCPUs: Double
    var gpu: Bool
    var rocm: Bool

    init(_ config: EngineConfig) {
        let engine = config.engine.resources
        let sidekicks = config.sidekicks.map(\.resources)
        cpus = ([engine] + sidekicks).reduce(0.0) { $0 + $1.limits.cpu }
        memoryBytes = ([engine] + sidekicks).reduce(0) { $0 + (QuantityText.bytes($1.limits.memory) ?? 0) }
        engineCPUs = engine.limits.cpu
        gpu = engine.gpu || sidekicks.contains { $0.gpu }
        rocm = gpu && engine.accelerator == .rocm
    }

    /// Python's `str(float)`, as the SDK prints `--cpus`.
    var cpusText: String { "\(cpus)" }

    /// Python's `max(1.0, ceil(cpus))`: `1.0` up to one CPU, a whole number above.
    var configCPUs: String {
        let rounded = engineCPUs.rounded(.up)
        return rounded <= 1 ? "1.0" : String(Int64(rounded))
    }

    /// The SDK's `sum_memory`: the largest of t, g, m, k (powers of 1024) that divides the total, else bytes.
    var memoryText: String {
        for (power, unit) in [(4, "t"), (3, "g"), (2, "m"), (1, "k")] {
            let size = Int64(1) << (10 * power)
            if memoryBytes % size == 0 { return "\(memoryBytes / size)\(unit)" }
        }
        return String(memoryBytes)
    }

    func gpuFlags(podman: Bool) -> [String] {
        if rocm { return ["--device /dev/dri", "--device /dev/kfd"] }
        guard gpu else { return [] }
        return [podman ? "--device nvidia.com/gpu=all" : "--gpus all"]
    }
}
