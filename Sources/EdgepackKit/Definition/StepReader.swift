import Yams

/// Reads `steps:`, one step kind per entry (the syntax in docs/definition.md), checking that every model a step
/// names is defined.
struct StepReader {
    static let kinds = ["model", "models", "shadow", "split", "key_split", "select", "audit", "multi_out"]

    let diagnostics: DiagnosticCollector

    func steps(_ node: Node?, models: [ModelSpec]) -> [Step] {
        guard let node else { return [] }
        guard case .sequence(let sequence) = node else {
            diagnostics.error(at: node, "'steps' must be a list of steps, got \(node.kindDescription)")
            return []
        }
        if sequence.isEmpty { diagnostics.error(at: node, "'steps' must list at least one step") }
        let known = Set(models.map(\.name))
        var result: [Step] = []
        for (index, item) in sequence.enumerated() {
            let path = "steps[\(index)]"
            guard let mapping = YAMLMapping(item, path: path, allowedKeys: Self.kinds, diagnostics: diagnostics) else { continue }
            guard mapping.pairs.count == 1, let kind = mapping.pairs.first else {
                if !mapping.pairs.isEmpty || item.mapping?.isEmpty == true {
                    let choices = Self.kinds.dropLast().map { "'\($0)'" }.joined(separator: ", ") + " or '\(Self.kinds.last!)'"
                    diagnostics.error(at: item, "\(path) must have exactly one of \(choices)")
                }
                continue
            }
            var referenced: [(String, Node?)] = []
            if let step = step(kind.key, kind.value, in: mapping, path: "\(path).\(kind.key)", referenced: &referenced) {
                result.append(step)
            }
            for (name, node) in referenced where !known.contains(name) {
                diagnostics.error(at: node, "\(path) names model '\(name)', which is not defined in 'models'")
            }
        }
        return result
    }

    private func step(_ kind: String, _ value: Node, in mapping: YAMLMapping, path: String, referenced: inout [(String, Node?)]) -> Step? {
        switch kind {
        case "model":
            guard let name = mapping.string("model") else { return nil }
            referenced.append((name, value))
            return .models([name])
        case "models":
            let names = self.names(value, path: path)
            referenced += names
            return names.isEmpty ? nil : .models(names.map(\.0))
        case "shadow":
            guard let shadow = YAMLMapping(value, path: path, allowedKeys: ["champion", "challengers"], diagnostics: diagnostics) else { return nil }
            let champion = shadow.string("champion", required: true)
            let challengers = names(shadow.required("challengers"), path: "\(path).challengers")
            if let champion { referenced.append((champion, shadow["champion"])) }
            referenced += challengers
            guard let champion, !challengers.isEmpty else { return nil }
            return .shadow(champion: champion, challengers: challengers.map(\.0))
        case "split":
            return split(value, path: path, referenced: &referenced)
        case "key_split":
            return keySplit(value, path: path, referenced: &referenced)
        case "select":
            return mapping.integer("select", minimum: 0).map(Step.select)
        case "audit":
            return audit(value, path: path)
        default:
            if value.isNull || value.mapping?.isEmpty == true { return .multiOut }
            diagnostics.error(at: value, "'\(path)' takes no settings: write 'multi_out: {}'")
            return nil
        }
    }

    private func split(_ node: Node, path: String, referenced: inout [(String, Node?)]) -> Step? {
        guard let split = YAMLMapping(node, path: path, allowedKeys: ["key", "weights"], diagnostics: diagnostics) else { return nil }
        let key = split.string("key")
        var weights: [SplitWeight] = []
        guard let table = YAMLMapping(split.required("weights"), path: "\(path).weights", allowedKeys: nil, diagnostics: diagnostics) else { return nil }
        if table.pairs.isEmpty { diagnostics.error(at: table.node, "\(path).weights must name at least one model") }
        for pair in table.pairs {
            referenced.append((pair.key, pair.keyNode))
            if let weight = table.positiveNumber(pair.key) { weights.append(SplitWeight(model: pair.key, weight: weight)) }
        }
        guard !weights.isEmpty, weights.count == table.pairs.count else { return nil }
        return .split(key: key, weights: weights)
    }

    private func keySplit(_ node: Node, path: String, referenced: inout [(String, Node?)]) -> Step? {
        guard let split = YAMLMapping(node, path: path, allowedKeys: ["key", "default", "routes"], diagnostics: diagnostics) else { return nil }
        let key = split.string("key", required: true)
        let fallback = split.string("default", required: true)
        if let fallback { referenced.append((fallback, split["default"])) }
        guard let table = YAMLMapping(split.required("routes"), path: "\(path).routes", allowedKeys: nil, diagnostics: diagnostics) else { return nil }
        if table.pairs.isEmpty { diagnostics.error(at: table.node, "\(path).routes must map at least one value to a model") }
        var routes: [KeyRoute] = []
        for pair in table.pairs {
            guard let model = table.string(pair.key) else { continue }
            referenced.append((model, pair.value))
            routes.append(KeyRoute(value: pair.key, model: model))
        }
        guard let key, let fallback, !routes.isEmpty, routes.count == table.pairs.count else { return nil }
        return .keySplit(key: key, defaultModel: fallback, routes: routes)
    }

    /// A Python slice as Wallaroo's `add_audit` takes it: `START:END`, `START:` or `:END` (START defaults to 0).
    private func audit(_ node: Node, path: String) -> Step? {
        let text = node.scalar?.string ?? ""
        guard case .scalar = node, let match = text.wholeMatch(of: /([0-9]*):([0-9]*)/),
              let from = match.1.isEmpty ? 0 : Int(match.1) else {
            diagnostics.error(at: node, "'\(path)' must be a slice of the outputs such as \"1:\", \"0:2\" or \":3\", got \(node.kindDescription)")
            return nil
        }
        let to = match.2.isEmpty ? nil : Int(match.2)
        if let to, to <= from {
            diagnostics.error(at: node, "'\(path)' \"\(text)\" selects no output: END must be greater than START")
            return nil
        }
        return .audit(from: from, to: to)
    }

    private func names(_ node: Node?, path: String) -> [(String, Node?)] {
        guard let node else { return [] }
        guard case .sequence(let sequence) = node, !sequence.isEmpty else {
            diagnostics.error(at: node, "'\(path)' must be a non-empty list of model names")
            return []
        }
        return sequence.compactMap { item in
            guard let text = item.scalar?.string, item.tagName == .str else {
                diagnostics.error(at: item, "'\(path)' entries must be model names, got \(item.kindDescription)")
                return nil
            }
            return (text, item)
        }
    }
}
