import Yams

/// Typed reads of YAML nodes that report mistakes to a `DiagnosticCollector` instead of stopping,
/// so one pass over a definition finds every error in it.
struct YAMLMapping {
    let node: Node
    let pairs: [(key: String, keyNode: Node, value: Node)]
    let path: String
    let diagnostics: DiagnosticCollector
    /// Allowed keys that an unknown key here was taken for a misspelling of: their absence is that typo, already
    /// reported once ("did you mean"), not a second mistake.
    let misspelled: Set<String>

    /// Reads `node` as a mapping with string keys, reporting unknown and repeated keys.
    init?(_ node: Node?, path: String, allowedKeys: [String]?, diagnostics: DiagnosticCollector) {
        guard let node else { return nil }
        guard case .mapping(let mapping) = node else {
            diagnostics.error(at: node, "\(path.isEmpty ? "the definition" : path) must be a mapping, got \(node.kindDescription)")
            return nil
        }
        var pairs: [(String, Node, Node)] = []
        var seen: [String: Node] = [:]
        var misspelled = Set<String>()
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
                let meant = Self.closest(to: key, in: allowedKeys)
                if let meant { misspelled.insert(meant) }
                diagnostics.error(at: keyNode, "unknown key '\(Self.join(path, key))'" + (meant.map { "; did you mean '\($0)'?" } ?? " (expected one of: \(allowedKeys.joined(separator: ", ")))"))
                continue
            }
            pairs.append((key, keyNode, value))
        }
        self.node = node
        self.pairs = pairs
        self.path = path
        self.diagnostics = diagnostics
        self.misspelled = misspelled
    }

    subscript(key: String) -> Node? {
        pairs.first { $0.key == key }?.value
    }

    func fieldPath(_ key: String) -> String { Self.join(path, key) }

    func required(_ key: String) -> Node? {
        guard let value = self[key], !value.isNull else {
            if self[key] != nil || !misspelled.contains(key) {
                diagnostics.error(at: self[key] ?? node, "missing required key '\(fieldPath(key))'")
            }
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

    /// The allowed key `key` is a near miss of, if one is.
    static func closest(to key: String, in allowed: [String]) -> String? {
        let closest = allowed.map { ($0, EditDistance.between($0, key)) }.min { $0.1 < $1.1 }
        guard let closest, closest.1 <= max(1, key.count / 3) else { return nil }
        return closest.0
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

extension Node {
    /// The resolved tag (`Tag.name` is internal to Yams).
    var tagName: Tag.Name { Tag.Name(rawValue: tag.rawValue) }
}
