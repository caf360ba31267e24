import Yams

/// Typed reads of YAML nodes that report mistakes to a `DiagnosticCollector` instead of stopping,
/// so one pass over a definition finds every error in it.
struct YAMLMapping {
    let node: Node
    let pairs: [(key: String, keyNode: Node, value: Node)]
    let path: String
    let diagnostics: DiagnosticCollector

    /// Reads `node` as a mapping with string keys, reporting unknown and repeated keys.
    init?(_ node: Node?, path: String, allowedKeys: [String]?, diagnostics: DiagnosticCollector) {
        guard let node else { return nil }
        guard case .mapping(let mapping) = node else {
            diagnostics.error(at: node, "\(path.isEmpty ? "the definition" : path) must be a mapping, got \(node.kindDescription)")
            return nil
        }
        var pairs: [(String, Node, Node)] = []
        var seen: [String: Node] = [:]
        for (keyNode, value) in mapping {
            guard case .scalar(let scalar) = keyNode else {
                diagnostics.error(at: keyNode, "keys must be plain strings")
                continue
            }
            let key = scalar.string
            if let first = seen[key] {
                diagnostics.error(at: keyNode, "duplicate key '\(Self.join(path, key))' (first at line \(first.mark?.line ?? 0))")
                continue
            }
            seen[key] = keyNode
            if let allowedKeys, !allowedKeys.contains(key) {
                diagnostics.error(at: keyNode, "unknown key '\(Self.join(path, key))'\(Self.suggestion(for: key, in: allowedKeys))")
                continue
            }
            pairs.append((key, keyNode, value))
        }
        self.node = node
        self.pairs = pairs
        self.path = path
        self.diagnostics = diagnostics
    }

    subscript(key: String) -> Node? {
        pairs.first { $0.key == key }?.value
    }

    func fieldPath(_ key: String) -> String { Self.join(path, key) }

    func required(_ key: String) -> Node? {
        guard let value = self[key], !value.isNull else {
            diagnostics.error(at: self[key] ?? node, "missing required key '\(fieldPath(key))'")
            return nil
        }
        return value
    }

    func string(_ key: String, required isRequired: Bool = false) -> String? {
        guard let value = isRequired ? required(key) : self[key] else { return nil }
        guard case .scalar(let scalar) = value, value.tagName == .str || value.tagName == .int || value.tagName == .float else {
            diagnostics.error(at: value, "'\(fieldPath(key))' must be a string, got \(value.kindDescription)")
            return nil
        }
        return scalar.string
    }

    func integer(_ key: String, minimum: Int) -> Int? {
        guard let value = self[key] else { return nil }
        guard value.tagName == .int, let number = Int(value.scalar?.string ?? "") else {
            diagnostics.error(at: value, "'\(fieldPath(key))' must be a whole number, got \(value.kindDescription)")
            return nil
        }
        guard number >= minimum else {
            diagnostics.error(at: value, "'\(fieldPath(key))' must be at least \(minimum), got \(number)")
            return nil
        }
        return number
    }

    func boolean(_ key: String) -> Bool? {
        guard let value = self[key] else { return nil }
        guard value.tagName == .bool, let flag = value.bool else {
            diagnostics.error(at: value, "'\(fieldPath(key))' must be true or false, got \(value.kindDescription)")
            return nil
        }
        return flag
    }

    func positiveNumber(_ key: String) -> Double? {
        guard let value = self[key] else { return nil }
        guard value.tagName == .int || value.tagName == .float, let number = Double(value.scalar?.string ?? ""), number.isFinite else {
            diagnostics.error(at: value, "'\(fieldPath(key))' must be a number, got \(value.kindDescription)")
            return nil
        }
        guard number > 0 else {
            diagnostics.error(at: value, "'\(fieldPath(key))' must be greater than 0, got \(value.scalar?.string ?? "")")
            return nil
        }
        return number
    }

    func enumeration<E: RawRepresentable & CaseIterable>(_ key: String, _ type: E.Type, what: String) -> E? where E.RawValue == String {
        guard let text = string(key) else { return nil }
        guard let value = E(rawValue: text) else {
            let choices = E.allCases.map(\.rawValue).joined(separator: ", ")
            diagnostics.error(at: self[key], "unknown \(what) '\(text)' (expected one of: \(choices))")
            return nil
        }
        return value
    }

    static func join(_ path: String, _ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    /// " (did you mean 'x'?)" for a near miss, else the list of allowed keys.
    static func suggestion(for key: String, in allowed: [String]) -> String {
        let closest = allowed.map { ($0, EditDistance.between($0, key)) }.min { $0.1 < $1.1 }
        if let closest, closest.1 <= max(1, key.count / 3) {
            return "; did you mean '\(closest.0)'?"
        }
        return " (expected one of: \(allowed.joined(separator: ", ")))"
    }
}

extension Node {
    var isNull: Bool { tagName == .null }

    var kindDescription: String {
        switch self {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar(let scalar):
            switch tagName {
            case .null: return "nothing"
            case .bool: return "a boolean (\(scalar.string))"
            case .int, .float: return "a number (\(scalar.string))"
            default: return "'\(scalar.string)'"
            }
        }
    }
}

enum EditDistance {
    static func between(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(b.count, 1) where !b.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}

extension Node {
    /// The resolved tag (`Tag.name` is internal to Yams).
    var tagName: Tag.Name { Tag.Name(rawValue: tag.rawValue) }
}
