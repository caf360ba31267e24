import ArgumentParser
import Synchronization
import Foundation
import OCIKit

/// How to reach and authenticate to a registry.
struct ConnectionOptions: ParsableArguments {
    @Option(help: "Registry username (the password comes from --password-stdin).")
    var username: String?

    @Flag(help: "Read the registry password or token from standard input.")
    var passwordStdin = false

    @Flag(help: "Speak plain HTTP (loopback registries only, unless --insecure).")
    var plainHttp = false

    @Flag(help: "Skip TLS verification, and allow --plain-http to any host.")
    var insecure = false

    @Option(help: "A PEM file of extra CA certificates to trust.", completion: .file())
    var caFile: String?

    // Unconditional parsing, so that "-1" is read as a (wrong) number rather than as a missing value.
    @Option(parsing: .unconditional, help: "How many blobs to upload at once (1 to 64).")
    var concurrency = 4

    @Option(parsing: .unconditional, help: "Upload in chunks of this size (4K to 2G, e.g. 4M, 16M) instead of one request per blob.")
    var chunkSize: String?

    static let chunkSizes: ClosedRange<Int64> = (4 << 10)...(2 << 30)

    func validate() throws {
        if passwordStdin, username == nil { throw ValidationError("--password-stdin needs --username") }
        if username != nil, !passwordStdin { throw ValidationError("--username needs --password-stdin (passwords are never taken as arguments)") }
        guard (1...64).contains(concurrency) else { throw ValidationError("--concurrency takes 1 to 64, got \(concurrency)") }
        if let chunkSize, !(Self.bytes(chunkSize).map { Self.chunkSizes.contains($0) } ?? false) {
            throw ValidationError("--chunk-size takes a size from 4K to 2G such as 4M or 16M, got '\(chunkSize)'")
        }
        if let caFile, !FileManager.default.isReadableFile(atPath: caFile) { throw ValidationError("--ca-file \(caFile) is not a readable file") }
    }

    func credentials() throws -> CredentialResolver {
        guard let username, passwordStdin else { return CredentialResolver() }
        var password = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
        while password.hasSuffix("\n") || password.hasSuffix("\r") { password.removeLast() }
        guard !password.isEmpty else { throw CommandError("--password-stdin read an empty password") }
        return CredentialResolver(explicit: .password(username: username, password: password))
    }

    func client(host: String, resolver: CredentialResolver, onUpload: (@Sendable (Int) -> Void)? = nil) throws -> RegistryClient {
        try RegistryClient.connect(host: host, credential: resolver.credential(for: host), options: registryOptions(), onUpload: onUpload)
    }

    func registryOptions() -> RegistryOptions {
        var options = RegistryOptions()
        options.plainHTTP = plainHttp
        options.transport = TransportOptions(caFile: caFile, insecure: insecure)
        options.transport.userAgent = "edgepack/\(EdgepackVersion.string)"
        options.concurrency = concurrency
        options.chunkSize = chunkSize.flatMap(Self.bytes)
        options.uploadSessions = UploadSessionStore()
        options.partialDownloads = RegistryClient.defaultPartialDownloadsDirectory()
        return options
    }

    static func bytes(_ text: String) -> Int64? {
        let units: [Character: Int64] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30]
        let upper = text.uppercased().replacingOccurrences(of: "IB", with: "").replacingOccurrences(of: "B", with: "")
        if let last = upper.last, let unit = units[last], let number = Int64(upper.dropLast()), number > 0 {
            let (bytes, overflow) = number.multipliedReportingOverflow(by: unit)
            return overflow ? nil : bytes
        }
        return Int64(upper).flatMap { $0 > 0 ? $0 : nil }
    }
}
