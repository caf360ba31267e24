import Foundation
import OCIKit

/// edgepack's settings from the process environment, read once, and the OCIKit configuration made from them
/// (OCIKit reads no environment variable and names no product: its cache folders, trace, client id and
/// credential variables are given here).
public struct EdgepackEnvironment: Sendable {
    /// The process environment as the command started.
    public static let current = EdgepackEnvironment(ProcessInfo.processInfo.environment)

    public let variables: [String: String]
    /// `$EDGEPACK_CACHE_DIR`, else `$XDG_CACHE_HOME/edgepack`, else `~/.cache/edgepack`.
    public let cacheDirectory: String
    /// `EDGEPACK_TRACE` set: each request's method and URL (never headers or bodies) and each transfer fallback
    /// taken go to standard error.
    public let trace: Bool

    /// The variables a registry's credentials are read from, in order of precedence.
    public static let credentialVariables = [CredentialVariables(username: "EDGEPACK_USERNAME", password: "EDGEPACK_PASSWORD"), .oci]
    /// The variables the credentials of a registry images are copied from are read from.
    public static let sourceCredentialVariables = CredentialVariables(username: "EDGEPACK_SOURCE_USERNAME", password: "EDGEPACK_SOURCE_PASSWORD")
    /// The `client_id` of a refresh-token exchange.
    public static let clientID = "edgepack"

    public init(_ variables: [String: String]) {
        self.variables = variables
        if let dir = variables["EDGEPACK_CACHE_DIR"], !dir.isEmpty {
            cacheDirectory = dir
        } else if let dir = variables["XDG_CACHE_HOME"], !dir.isEmpty {
            cacheDirectory = dir + "/edgepack"
        } else {
            cacheDirectory = (variables["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()) + "/.cache/edgepack"
        }
        trace = variables["EDGEPACK_TRACE"] != nil
    }

    /// Model digests by file status (`DigestCache`).
    public var digestCacheLocation: String { cacheDirectory + "/digests" }
    /// Images' blobs, manifests and resolved tags (`BlobCache`).
    public var blobCacheDirectory: String { cacheDirectory + "/blobs" }
    /// Open uploads, for the next run to resume (`UploadSessionStore`).
    public var uploadSessionsDirectory: String { cacheDirectory + "/uploads" }
    /// Interrupted downloads, for the next run to continue (`RegistryOptions.partialDownloads`).
    public var partialDownloadsDirectory: String { cacheDirectory + "/downloads" }

    public func digestCache() -> DigestCache { DigestCache(location: digestCacheLocation) }

    public func blobCache(digests: DigestCache? = nil) -> BlobCache { BlobCache(directory: blobCacheDirectory, digests: digests) }

    public func credentials(explicit: Credential? = nil) -> CredentialResolver {
        CredentialResolver(explicit: explicit, environment: variables, variables: Self.credentialVariables,
                           sourceVariables: Self.sourceCredentialVariables)
    }

    /// A transport that traces when `EDGEPACK_TRACE` is set, naming itself `userAgent`.
    public func transportOptions(userAgent: String = "edgepack") -> TransportOptions {
        var options = TransportOptions()
        options.userAgent = userAgent
        if trace { options.trace = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) } }
        return options
    }

    /// A registry connection with `transportOptions(userAgent:)` and edgepack's client id.
    public func registryOptions(userAgent: String = "edgepack") -> RegistryOptions {
        var options = RegistryOptions()
        options.transport = transportOptions(userAgent: userAgent)
        options.clientID = Self.clientID
        return options
    }
}
