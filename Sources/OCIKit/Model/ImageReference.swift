/// An image or artifact reference, `[registry/]repository[:tag][@digest]`, split the way docker does:
/// the first component is a registry when it has a '.' or ':' or is `localhost`.
public struct ImageReference: Sendable, Hashable, CustomStringConvertible {
    public var registry: String
    public var repository: String
    public var tag: String?
    public var digest: Digest?
    /// The registry and repository as written (`engine:v1` stays `engine`, not `docker.io/engine`).
    public var nameAsWritten: String

    public init(parsing text: String) throws {
        guard !text.contains("://") else {
            throw OCIError(.invalidReference, "invalid reference '\(MessageText.escaped(text))': references take no scheme; write [registry/]repository[:tag][@digest]")
        }
        var rest = Substring(text)
        if let at = rest.firstIndex(of: "@") {
            digest = try Digest(parsing: String(rest[rest.index(after: at)...]))
            rest = rest[..<at]
        }
        if let colon = rest.lastIndex(of: ":"), !rest[colon...].contains("/") {
            tag = String(rest[rest.index(after: colon)...])
            rest = rest[..<colon]
        }
        nameAsWritten = String(rest)
        let components = rest.split(separator: "/", omittingEmptySubsequences: false)
        if components.count > 1, let first = components.first, first.contains(".") || first.contains(":") || first == "localhost" {
            registry = String(first)
            repository = components.dropFirst().joined(separator: "/")
        } else {
            registry = "docker.io"
            repository = String(rest)
        }
        guard !repository.isEmpty, !repository.contains("//"), tag?.isEmpty != true else {
            throw OCIError(.invalidReference, "invalid reference '\(MessageText.escaped(text))': expected [registry/]repository[:tag][@digest]")
        }
        // Checked before any request: a `..` or an empty component would name a path beside the repository.
        do {
            _ = try Repository(validating: repository)
            _ = try tag.map { try ManifestReference(validating: $0) }
        } catch let error as OCIError {
            throw OCIError(.invalidReference, "invalid reference '\(MessageText.escaped(text))': \(error.message)")
        }
    }

    /// `registry/repository` (no tag or digest).
    public var name: String { "\(registry)/\(repository)" }

    public var description: String {
        name + (tag.map { ":\($0)" } ?? "") + (digest.map { "@\($0)" } ?? "")
    }

    /// What to ask the registry for: the digest when there is one (a tag beside it is informative, as in
    /// docker), else the tag, else nil.
    public var manifestReference: String? { digest?.string ?? tag }

    /// `repository:tag` or `repository@sha256:…`, as people write them.
    public static func join(_ repository: String, _ reference: String) -> String {
        repository + (reference.contains(":") ? "@" : ":") + reference
    }
}
