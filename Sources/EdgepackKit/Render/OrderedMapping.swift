/// A mapping that encodes its keys in the order given, so YAML written from Swift values has a stable,
/// readable key order (a Swift `Dictionary` has neither).
public struct OrderedMapping<Value: Encodable & Sendable>: Encodable, Sendable {
    public var entries: [(key: String, value: Value)]

    public init(_ entries: [(key: String, value: Value)] = []) {
        self.entries = entries
    }

    public var isEmpty: Bool { entries.isEmpty }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        for (key, value) in entries {
            try container.encode(value, forKey: Key(stringValue: key))
        }
    }
}

/// Numbers as Kubernetes and compose want them in strings: `0.25`, `1`, `4`.
enum NumberText {
    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}

import Yams

/// A number written plainly in YAML (`0.25`, not Yams' `2.5e-1`).
struct PlainNumber: Encodable, YAMLEncodable, Sendable {
    var value: Double

    func box() -> Node {
        let text = NumberText.format(value)
        return Node(text, Tag(text.contains(".") ? .float : .int))
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}
