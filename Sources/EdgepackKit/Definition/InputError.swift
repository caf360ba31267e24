import OCIKit

/// What the user can change to get past an EdgepackKit error that states only the fact: the CLI words it in terms
/// of its own flags (EdgepackKit names none).
public enum Remedy: Sendable, Equatable {
    /// Model paths outside the definition's folder can be allowed.
    case allowModelsOutside
    /// Plain HTTP is a connection choice, not a scheme in a registry prefix.
    case connectWithPlainHTTP
    /// Chart templates come from a Helm chart directory the caller names.
    case nameChartDirectory
    /// The versions a registry holds of a pipeline can be listed.
    case listVersions(pipeline: String, registry: String)
}

/// An input EdgepackKit cannot take: the fact, and what the caller can change (which it words itself).
public struct InputError: Error, CustomStringConvertible, Sendable {
    public let code: OCIError.Code
    public let message: String
    public let remedy: Remedy

    public init(_ code: OCIError.Code, _ message: String, remedy: Remedy) {
        self.code = code
        self.message = message
        self.remedy = remedy
    }

    /// The fact as one line, control characters escaped.
    public var description: String { MessageText.escaped(message) }
}
