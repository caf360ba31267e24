#if canImport(Glibc)
import Glibc
#endif

/// The one error type OCIKit throws: a machine-readable code, a one-line message for people, and an optional cause.
public struct OCIError: Error, CustomStringConvertible, Sendable {
    public enum Code: String, Sendable {
        case invalidDigest, digestMismatch, sizeMismatch, io, archive, invalidJSON, invalidLayout
        case notFound, unsupported, unsafePath, registry, unauthorized, denied, network, invalidReference, cancelled
    }

    /// What stood in the way, as a fact a caller can give advice on in its own terms (its options, its
    /// commands); OCIKit gives none.
    public enum Obstacle: Sendable, Hashable {
        /// The server's TLS certificate did not verify against the trusted authorities.
        case untrustedCertificate
        /// The TLS handshake failed: the server may speak plain HTTP.
        case noTLS
        /// Plain HTTP was asked for a host that is not loopback, without `TransportOptions.insecure`.
        case plainHTTPToRemoteHost
        /// The registry needs credentials and none were found.
        case credentialsNeeded(host: String)
        /// The registry an image is read from needs credentials and none were found for it.
        case sourceCredentialsNeeded(host: String)
        /// An image cannot be read from the source it is named by.
        case imageUnreadable(image: String)
        /// An image asked for with no network is not (wholly) in the blob cache.
        case imageNotCached(image: String)
        /// The source leaves out blobs (they are expected at the destination) that the destination does not hold.
        case destinationLacksLeftOutBlobs
        /// A tar unpacks to more than a limit the caller chose (`UnpackLimit`).
        case unpackLimitChosen
    }

    public let code: Code
    public let message: String
    public let cause: (any Error)?
    public let obstacle: Obstacle?
    /// Set when a registry refused the credentials given or their lack: the facts a caller needs to advise.
    public let refusal: RegistryRefusal?

    public init(_ code: Code, _ message: String, cause: (any Error)? = nil, obstacle: Obstacle? = nil, refusal: RegistryRefusal? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
        self.obstacle = obstacle
        self.refusal = refusal
    }

    /// The message (and its cause) as one line, control characters escaped.
    public var description: String {
        guard let cause, !(cause is NetworkError) else { return MessageText.escaped(message) }
        return MessageText.escaped("\(message): \(OCIError(foundation: cause)?.message ?? "\(cause)")")
    }
}

extension OCIError {
    /// An I/O failure for `path`, worded from `errno` as a C library reports it.
    static func io(_ action: String, _ path: String, errno code: Int32) -> OCIError {
        let note = code == ENOSPC || code == EDQUOT ? DiskSpace.fullDiskNote(path) : ""
        let (said, place) = TemporaryFiles.described(action, path)
        return OCIError(.io, "cannot \(said) \(place): \(SystemErrorText.describe(code))\(note)")
    }
}
