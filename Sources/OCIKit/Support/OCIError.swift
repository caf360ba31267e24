/// The one error type OCIKit throws: a machine-readable code, a one-line message for people, and an optional cause.
public struct OCIError: Error, CustomStringConvertible, Sendable {
    public enum Code: String, Sendable {
        case invalidDigest, digestMismatch, sizeMismatch, io, archive, invalidJSON, invalidLayout
        case notFound, unsupported, unsafePath, registry, unauthorized, denied, network, invalidReference
    }

    public let code: Code
    public let message: String
    public let cause: (any Error)?
    /// Set when a registry refused edgepack's credentials or their lack: the facts a caller needs to advise.
    public let refusal: RegistryRefusal?

    public init(_ code: Code, _ message: String, cause: (any Error)? = nil, refusal: RegistryRefusal? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
        self.refusal = refusal
    }

    public var description: String {
        guard let cause, !(cause is NetworkError) else { return message }
        return "\(message): \(cause)"
    }
}

extension OCIError {
    /// An I/O failure for `path`, worded from `errno` as a C library reports it.
    static func io(_ action: String, _ path: String, errno code: Int32) -> OCIError {
        OCIError(.io, "cannot \(action) \(path): \(SystemErrorText.describe(code))")
    }
}
