/// A content digest such as `sha256:2cf2…`, validated on construction (OCI image-spec "Digests").
public struct Digest: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public let algorithm: String
    public let encoded: String

    public init(algorithm: String, encoded: String) throws {
        guard Digest.isValidAlgorithm(algorithm) else {
            throw OCIError(.invalidDigest, "invalid digest algorithm '\(algorithm)'")
        }
        let hexLength: Int? = switch algorithm {
        case "sha256": 64
        case "sha512": 128
        default: nil
        }
        if let hexLength {
            guard encoded.utf8.count == hexLength, encoded.utf8.allSatisfy(Digest.isLowerHex) else {
                throw OCIError(.invalidDigest, "invalid \(algorithm) digest '\(encoded)': expected \(hexLength) lowercase hex characters")
            }
        } else {
            throw OCIError(.invalidDigest, "unsupported digest algorithm '\(algorithm)' (sha256 and sha512 are supported)")
        }
        self.algorithm = algorithm
        self.encoded = encoded
    }

    /// Parses `algorithm:encoded`.
    public init(parsing string: String) throws {
        guard let colon = string.firstIndex(of: ":") else {
            throw OCIError(.invalidDigest, "invalid digest '\(string)': expected algorithm:hex")
        }
        try self.init(algorithm: String(string[..<colon]), encoded: String(string[string.index(after: colon)...]))
    }

    init(sha256Bytes bytes: [UInt8]) {
        algorithm = "sha256"
        encoded = Hex.encode(bytes)
    }

    public var string: String { "\(algorithm):\(encoded)" }
    public var description: String { string }

    public static func < (lhs: Digest, rhs: Digest) -> Bool { lhs.string < rhs.string }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        try self.init(parsing: text)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(string)
    }

    private static func isValidAlgorithm(_ text: String) -> Bool {
        // algorithm-component ::= [a-z0-9]+, joined by [+._-]
        var previousWasSeparator = true
        for byte in text.utf8 {
            let isSeparator = byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
            if isSeparator {
                if previousWasSeparator { return false }
                previousWasSeparator = true
            } else if (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x30 && byte <= 0x39) {
                previousWasSeparator = false
            } else {
                return false
            }
        }
        return !previousWasSeparator
    }

    private static func isLowerHex(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x66)
    }
}

enum Hex {
    static func encode(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
