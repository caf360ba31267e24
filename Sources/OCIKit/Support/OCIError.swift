#if canImport(Glibc)
import Glibc
#endif

/// The one error type OCIKit throws: a machine-readable code, a one-line message for people, and an optional cause.
public struct OCIError: Error, CustomStringConvertible, Sendable {
    public enum Code: String, Sendable {
        case invalidDigest, digestMismatch, sizeMismatch, io, archive, invalidJSON, invalidLayout
        case notFound, unsupported, unsafePath, registry, unauthorized, denied, network, invalidReference, cancelled
    }

    /// What the user can change to get past the error; the CLI words it in terms of its own options.
    public enum Remedy: Sendable, Equatable {
        /// Trust the server's certificate authority (or skip verification).
        case trustCertificate
        /// The server speaks plain HTTP, not TLS.
        case usePlainHTTP
        /// Plain HTTP to a host that is not loopback needs an explicit opt-in.
        case allowInsecure
        /// The registry needs credentials that were not found.
        case supplyCredentials(host: String)
        /// An image source's registry needs credentials that were not found (the destination's are never sent to it).
        case supplySourceCredentials(host: String)
        /// An image to copy cannot be read where it is named: give a local copy of it, or do not copy it.
        case provideImageSource(image: String)
        /// An image to copy with no network is not (wholly) in the blob cache: copy it once with the network, or give a local copy.
        case fillImageCache(image: String)
        /// A copy from a source that leaves out blobs (a delta) found the destination without some of them.
        case provideAbsentContent
    }

    public let code: Code
    public let message: String
    public let cause: (any Error)?
    public let remedy: Remedy?
    /// Set when a registry refused edgepack's credentials or their lack: the facts a caller needs to advise.
    public let refusal: RegistryRefusal?

    public init(_ code: Code, _ message: String, cause: (any Error)? = nil, remedy: Remedy? = nil, refusal: RegistryRefusal? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
        self.remedy = remedy
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
