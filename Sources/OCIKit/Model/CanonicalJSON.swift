import Foundation

/// The one JSON encoding OCIKit writes: sorted keys and unescaped slashes, so that equal values give equal
/// bytes, and digests are always taken over exactly the bytes that are written or sent.
public enum CanonicalJSON {
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    public static func encode(_ value: some Encodable) throws -> [UInt8] {
        do {
            return Array(try encoder().encode(value))
        } catch {
            throw OCIError(.invalidJSON, "cannot encode \(type(of: value)) as JSON", cause: error)
        }
    }

    /// Canonical JSON, indented for people (`--json` output).
    public static func prettyText(_ value: some Encodable) throws -> String {
        let encoder = encoder()
        encoder.outputFormatting.insert(.prettyPrinted)
        do {
            return String(decoding: try encoder.encode(value), as: UTF8.self)
        } catch {
            throw OCIError(.invalidJSON, "cannot encode \(type(of: value)) as JSON", cause: error)
        }
    }

    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], what: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(bytes))
        } catch {
            throw OCIError(.invalidJSON, "\(what) is not valid JSON for \(type)", cause: error)
        }
    }
}
