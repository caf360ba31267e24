import Yams

/// Reads `deployment:`: the engine's resources, arch and accel (with Wallaroo's rule of which accelerator runs on
/// which architecture), and each sidekick's own resources, arch, accel and image.
struct DeploymentReader {
    static let deploymentKeys = ["replicas", "cpus", "memory", "gpus", "arch", "accel", "sidekicks", "models_as_images"]
    static let sidekickKeys = ["cpus", "memory", "gpus", "arch", "accel", "image", "source"]

    let diagnostics: DiagnosticCollector
    var baseDirectory = "."

    func deployment(_ node: Node?, models: [ModelSpec]) -> Deployment {
        var deployment = Deployment()
        guard let node, !node.isNull,
              let mapping = YAMLMapping(node, path: "deployment", allowedKeys: Self.deploymentKeys, diagnostics: diagnostics)
        else { return deployment }
        deployment.replicas = mapping.integer("replicas", minimum: 1) ?? deployment.replicas
        deployment.resources = resources(mapping, defaults: .engineDefault)
        deployment.arch = mapping.enumeration("arch", Architecture.self, what: "arch") ?? deployment.arch
        (deployment.accel, deployment.qaic) = acceleration(mapping, arch: deployment.arch, default: .none)
        deployment.modelsAsImages = mapping.boolean("models_as_images") ?? false
        if let sidekicks = YAMLMapping(mapping["sidekicks"], path: "deployment.sidekicks", allowedKeys: nil, diagnostics: diagnostics) {
            let known = Set(models.map(\.name))
            for pair in sidekicks.pairs {
                if !models.isEmpty, !known.contains(pair.key) {
                    diagnostics.error(at: pair.keyNode, "sidekick '\(pair.key)' names no model in 'models'")
                }
                let path = "deployment.sidekicks.\(pair.key)"
                guard let spec = YAMLMapping(pair.value, path: path, allowedKeys: Self.sidekickKeys, diagnostics: diagnostics) else { continue }
                // A sidekick runs on its engine's architecture unless it says otherwise; accel defaults to none, as in the SDK.
                let arch = spec.enumeration("arch", Architecture.self, what: "arch") ?? deployment.arch
                let (accel, qaic) = acceleration(spec, arch: arch, default: .none)
                let image = spec.string("image")
                if let image, !ValueFormat.isImageReference(image) {
                    diagnostics.error(at: spec["image"], "'\(spec.fieldPath("image"))' '\(image)' is not an image reference such as ghcr.io/acme/runtime:1.4")
                }
                deployment.sidekicks.append(Sidekick(
                    model: pair.key, resources: resources(spec, defaults: .engineDefault), arch: arch, accel: accel, qaic: qaic,
                    image: image.flatMap { ValueFormat.isImageReference($0) ? $0 : nil },
                    source: ImageSourceCheck(diagnostics: diagnostics, baseDirectory: baseDirectory).source(spec)
                ))
            }
        }
        return deployment
    }

    func resources(_ mapping: YAMLMapping, defaults: Resources) -> Resources {
        Resources(
            cpus: mapping.positiveNumber("cpus") ?? defaults.cpus,
            memory: memory(mapping) ?? defaults.memory,
            gpus: mapping.integer("gpus", minimum: 0) ?? defaults.gpus
        )
    }

    func memory(_ mapping: YAMLMapping) -> String? {
        guard let text = mapping.string("memory") else { return nil }
        guard ValueFormat.isQuantity(text), (Double(text.prefix { "0123456789.".contains($0) }) ?? 0) > 0 else {
            diagnostics.error(at: mapping["memory"], "'\(mapping.fieldPath("memory"))' must be a Kubernetes quantity such as 512Mi or 4Gi, got '\(text)'")
            return nil
        }
        return text
    }

    /// `accel: NAME` or `accel: {qaic: {num_cores: 8, …}}`, checked against `arch` as Wallaroo checks it.
    func acceleration(_ mapping: YAMLMapping, arch: Architecture, default fallback: Accelerator) -> (Accelerator, QaicConfig) {
        guard let node = mapping["accel"], !node.isNull else { return (fallback, QaicConfig()) }
        var accel = fallback
        var qaic = QaicConfig()
        if case .mapping = node {
            guard let form = YAMLMapping(node, path: mapping.fieldPath("accel"), allowedKeys: ["qaic"], diagnostics: diagnostics),
                  let settings = form["qaic"] else {
                if node.mapping?.isEmpty == true { diagnostics.error(at: node, "'\(mapping.fieldPath("accel"))' must be a name such as cuda, or {qaic: {…}}") }
                return (fallback, qaic)
            }
            accel = .qaic
            qaic = qaicConfig(settings, path: form.fieldPath("qaic"))
        } else if let named = mapping.enumeration("accel", Accelerator.self, what: "accel") {
            accel = named
        } else {
            return (fallback, qaic)
        }
        if !accel.runs(on: arch) {
            let wanted = Architecture.allCases.filter { accel.runs(on: $0) }.map(\.rawValue).joined(separator: " or ")
            diagnostics.error(at: node, "accel '\(accel.rawValue)' runs only on arch \(wanted), not on \(arch.rawValue); change '\(mapping.fieldPath("arch"))' or '\(mapping.fieldPath("accel"))'")
        }
        return (accel, qaic)
    }

    private func qaicConfig(_ node: Node, path: String) -> QaicConfig {
        var config = QaicConfig()
        guard !node.isNull else { return config }
        let keys = QaicConfig.CodingKeys.allCases.map(\.rawValue)
        guard let mapping = YAMLMapping(node, path: path, allowedKeys: keys, diagnostics: diagnostics) else { return config }
        func number(_ key: QaicConfig.CodingKeys, _ value: inout Int) {
            if let read = mapping.integer(key.rawValue, minimum: 1) { value = read }
        }
        func flag(_ key: QaicConfig.CodingKeys, _ value: inout Bool) {
            guard let node = mapping[key.rawValue] else { return }
            guard node.tagName == .bool, let read = node.bool else {
                diagnostics.error(at: node, "'\(mapping.fieldPath(key.rawValue))' must be true or false, got \(node.kindDescription)")
                return
            }
            value = read
        }
        number(.numCores, &config.numCores)
        number(.numDevices, &config.numDevices)
        number(.ctxLen, &config.ctxLen)
        number(.prefillSeqLen, &config.prefillSeqLen)
        number(.fullBatchSize, &config.fullBatchSize)
        flag(.mxfp6Matmul, &config.mxfp6Matmul)
        flag(.mxint8KvCache, &config.mxint8KvCache)
        flag(.aicEnableDepthFirst, &config.aicEnableDepthFirst)
        return config
    }
}
