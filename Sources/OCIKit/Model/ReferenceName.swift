/// A `repository:tag` name relative to a registry prefix (e.g. `models/ccfraud:1f2e…`), as a bundle's
/// `index.json` or a caller names an artifact, checked against the OCI distribution grammar:
///
///     repository ::= component ("/" component)*        component ::= [a-z0-9]+ ((\.|_|__|-+) [a-z0-9]+)*
///     tag        ::= [a-zA-Z0-9_] [a-zA-Z0-9._-]{0,127}
///
/// A component cannot be `.` or `..` and the name cannot start with `/`, so a valid name always stays under the
/// prefix it is pushed to.
public struct ReferenceName: Sendable, Hashable, CustomStringConvertible {
    public let repository: String
    public let tag: String

    /// The longest repository name registries accept (distribution's limit for the full name, host excluded).
    public static let maximumRepositoryLength = 255

    public init(parsing text: String) throws {
        guard let colon = text.lastIndex(of: ":") else {
            throw OCIError(.invalidReference, "invalid artifact name '\(MessageText.escaped(text))': expected REPOSITORY:TAG such as models/ccfraud:v1")
        }
        let repository = String(text[..<colon]), tag = String(text[text.index(after: colon)...])
        guard Self.isRepository(repository) else {
            throw OCIError(.invalidReference, "invalid artifact name '\(MessageText.escaped(text))': '\(MessageText.escaped(repository))' is not an OCI repository name (lowercase components such as models/ccfraud, no '..', no leading '/')")
        }
        guard Self.isTag(tag) else {
            throw OCIError(.invalidReference, "invalid artifact name '\(MessageText.escaped(text))': '\(MessageText.escaped(tag))' is not an OCI tag (letters, digits, '.', '_', '-'; at most 128)")
        }
        self.repository = repository
        self.tag = tag
    }

    public var description: String { "\(repository):\(tag)" }

    /// The full repository under a registry path prefix (which may be empty).
    public func repository(under prefixPath: String) -> String {
        Repository(unchecked: prefixPath).appending(repository).path
    }

    public static func isRepository(_ text: String) -> Bool {
        guard !text.isEmpty, text.utf8.count <= maximumRepositoryLength else { return false }
        return text.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { isComponent(Substring($0)) }
    }

    /// `[a-z0-9]+ ((\.|_|__|-+) [a-z0-9]+)*`
    public static func isComponent(_ text: Substring) -> Bool {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, let last = bytes.last, isLowerAlphanumeric(first), isLowerAlphanumeric(last) else { return false }
        var index = 0
        while index < bytes.count {
            if isLowerAlphanumeric(bytes[index]) { index += 1; continue }
            // A separator run: ".", "_", "__" or "-"+, then an alphanumeric must follow.
            let start = index
            while index < bytes.count, !isLowerAlphanumeric(bytes[index]) { index += 1 }
            let separator = bytes[start..<index]
            let valid = separator.elementsEqual([UInt8(ascii: ".")]) || separator.elementsEqual([UInt8(ascii: "_")])
                || separator.elementsEqual([UInt8(ascii: "_"), UInt8(ascii: "_")]) || separator.allSatisfy { $0 == UInt8(ascii: "-") }
            if !valid { return false }
        }
        return true
    }

    /// `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`
    public static func isTag(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, bytes.count <= 128, isWord(first) else { return false }
        return bytes.allSatisfy { isWord($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }

    private static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x30 && byte <= 0x39)
    }

    private static func isWord(_ byte: UInt8) -> Bool {
        isLowerAlphanumeric(byte) || (byte >= 0x41 && byte <= 0x5a) || byte == UInt8(ascii: "_")
    }
}
