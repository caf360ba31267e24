/// Validates Arrow data type strings as pyarrow prints them (`int64`, `list<item: float>`,
/// `fixed_size_list<int64, 3>`, `fixed_size_list<item: int64>[3]`, `struct<a: int32, b: string>`,
/// `timestamp[ms, tz=UTC]`, `decimal128(10, 2)`, …).
public enum ArrowType {
    /// nil when `text` is a valid type, else what is wrong with it.
    public static func problem(in text: String) -> String? {
        var parser = Parser(Array(text.unicodeScalars))
        do {
            try parser.type()
            parser.skipSpaces()
            if !parser.atEnd { throw ParseError("unexpected '\(parser.rest)'") }
            return nil
        } catch let error as ParseError {
            return error.message
        } catch {
            return "\(error)"
        }
    }

    static let primitives: Set<String> = [
        "null", "bool", "boolean", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
        "halffloat", "float16", "float", "float32", "double", "float64", "string", "utf8", "large_string",
        "large_utf8", "binary", "large_binary", "date32", "date64", "date32[day]", "date64[ms]", "string_view", "binary_view",
    ]
    static let timeUnits: [String: Set<String>] = [
        "timestamp": ["s", "ms", "us", "ns"], "duration": ["s", "ms", "us", "ns"],
        "time32": ["s", "ms"], "time64": ["us", "ns"],
    ]

    struct ParseError: Error {
        let message: String
        init(_ message: String) { self.message = message }
    }

    struct Parser {
        let scalars: [Unicode.Scalar]
        var position = 0

        init(_ scalars: [Unicode.Scalar]) { self.scalars = scalars }

        var atEnd: Bool { position >= scalars.count }
        var rest: String { String(String.UnicodeScalarView(scalars[position...])) }

        mutating func skipSpaces() {
            while !atEnd, scalars[position] == " " { position += 1 }
        }

        mutating func word() -> String {
            skipSpaces()
            var out = String.UnicodeScalarView()
            while !atEnd, scalars[position].properties.isAlphabetic || ("0"..."9").contains(scalars[position]) || scalars[position] == "_" {
                out.append(scalars[position])
                position += 1
            }
            return String(out)
        }

        mutating func accept(_ symbol: Unicode.Scalar) -> Bool {
            skipSpaces()
            guard !atEnd, scalars[position] == symbol else { return false }
            position += 1
            return true
        }

        mutating func expect(_ symbol: Unicode.Scalar, after what: String) throws {
            guard accept(symbol) else {
                throw ParseError(atEnd ? "expected '\(symbol)' after \(what), but the type ends" : "expected '\(symbol)' after \(what), got '\(rest)'")
            }
        }

        mutating func number(for what: String) throws -> Int {
            let text = word()
            guard let value = Int(text), value >= 0 else { throw ParseError("expected a size for \(what), got '\(text)'") }
            return value
        }

        mutating func type() throws {
            let name = word()
            guard !name.isEmpty else {
                throw ParseError(atEnd ? "expected a type, but the text ends" : "expected a type name, got '\(rest)'")
            }
            switch name {
            case "list", "large_list", "list_view", "large_list_view":
                try expect("<", after: name)
                try optionalFieldName()
                try type()
                try expect(">", after: "the \(name) item type")
            case "fixed_size_list":
                try expect("<", after: name)
                try optionalFieldName()
                try type()
                if accept(",") {
                    let size = try number(for: name)
                    guard size > 0 else { throw ParseError("fixed_size_list size must be at least 1") }
                    try expect(">", after: "the fixed_size_list size")
                } else {
                    try expect(">", after: "the fixed_size_list item type")
                    try expect("[", after: "fixed_size_list<…> (the size, e.g. [3])")
                    _ = try number(for: name)
                    try expect("]", after: "the fixed_size_list size")
                }
            case "struct":
                try expect("<", after: name)
                if accept(">") { return }
                repeat {
                    let field = word()
                    guard !field.isEmpty else { throw ParseError("expected a field name in struct<…>") }
                    try expect(":", after: "struct field '\(field)'")
                    try type()
                } while accept(",")
                try expect(">", after: "the struct fields")
            case "map":
                try expect("<", after: name)
                try type()
                try expect(",", after: "the map key type")
                try type()
                try expect(">", after: "the map value type")
            case "decimal", "decimal128", "decimal256":
                try expect("(", after: name)
                let precision = try number(for: "\(name) precision")
                let most = name == "decimal256" ? 76 : 38
                guard (1...most).contains(precision) else {
                    throw ParseError("\(name) precision must be 1 to \(most), got \(precision)\(most == 38 ? " (use decimal256 for up to 76 digits)" : "")")
                }
                try expect(",", after: "\(name) precision")
                _ = try number(for: "\(name) scale")
                try expect(")", after: "\(name) scale")
            case "fixed_size_binary":
                try expect("[", after: name)
                _ = try number(for: name)
                try expect("]", after: "the fixed_size_binary size")
            case "date32", "date64":
                if accept("[") {
                    let unit = word()
                    guard (name == "date32" && unit == "day") || (name == "date64" && unit == "ms") else {
                        throw ParseError("unknown unit '\(unit)' for \(name)")
                    }
                    try expect("]", after: "the \(name) unit")
                }
            case _ where ArrowType.timeUnits[name] != nil:
                try expect("[", after: name)
                let unit = word()
                guard ArrowType.timeUnits[name]!.contains(unit) else {
                    throw ParseError("unknown unit '\(unit)' for \(name) (expected one of: \(ArrowType.timeUnits[name]!.sorted().joined(separator: ", ")))")
                }
                if name == "timestamp", accept(",") {
                    guard word() == "tz", accept("=") else { throw ParseError("expected 'tz=ZONE' in timestamp[…]") }
                    skipSpaces()
                    while !atEnd, scalars[position] != "]" { position += 1 }
                }
                try expect("]", after: "the \(name) unit")
            default:
                guard ArrowType.primitives.contains(name) else { throw ParseError("unknown Arrow type '\(name)'") }
            }
        }

        /// `item: ` in `list<item: int64>`.
        mutating func optionalFieldName() throws {
            let start = position
            let name = word()
            if !name.isEmpty, accept(":") { return }
            position = start
        }
    }
}
