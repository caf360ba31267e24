import ArgumentParser
import Synchronization
import Foundation
import EdgepackKit
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

    @Option(help: ArgumentHelp("Seconds to wait for a connection, for a registry's first byte, and for each next byte (a stall).", valueName: "seconds"))
    var timeout = 30

    func validate() throws {
        if passwordStdin, username == nil { throw ValidationError("--password-stdin needs --username") }
        if username != nil, !passwordStdin, !LoginPrompt.isAvailable {
            throw ValidationError("--username needs --password-stdin when no terminal can prompt for the password (passwords are never taken as arguments)")
        }
        if let caFile, !FileManager.default.isReadableFile(atPath: caFile) { throw ValidationError("--ca-file \(caFile) is not a readable file") }
        guard (1...3600).contains(timeout) else { throw ValidationError("--timeout must be between 1 and 3600 seconds, not \(timeout)") }
    }

    func credentials(host: String? = nil) throws -> CredentialResolver {
        guard let username else { return EdgepackEnvironment.current.credentials() }
        guard passwordStdin else {
            return EdgepackEnvironment.current.credentials(explicit: .password(username: username, password: try LoginPrompt.password(for: host ?? "the registry")))
        }
        var password = String(decoding: try PasswordInput.read(), as: UTF8.self)
        while password.hasSuffix("\n") || password.hasSuffix("\r") { password.removeLast() }
        guard !password.isEmpty else { throw CommandError("--password-stdin read an empty password") }
        return EdgepackEnvironment.current.credentials(explicit: .password(username: username, password: password))
    }

    func client(host: String, resolver: CredentialResolver, uploads: UploadOptions? = nil) throws -> RegistryClient {
        let lookup = try resolver.lookup(for: host)
        ErrorAdvice.remember(lookup)
        return try RegistryClient.connect(host: host, credential: lookup.credential, options: registryOptions(uploads: uploads))
    }

    func registryOptions(uploads: UploadOptions? = nil) -> RegistryOptions {
        let environment = EdgepackEnvironment.current
        var options = environment.registryOptions(userAgent: "edgepack/\(EdgepackVersion.string)")
        options.plainHTTP = plainHttp
        options.transport.caFile = caFile
        options.transport.insecure = insecure
        options.transport.connectTimeoutSeconds = timeout
        options.transport.stallSeconds = timeout
        if let uploads {
            options.concurrency = uploads.concurrency
            options.chunkSize = uploads.chunkSize.flatMap(UploadOptions.bytes)
        }
        options.uploadSessions = UploadSessionStore(directory: environment.uploadSessionsDirectory)
        options.partialDownloads = environment.partialDownloadsDirectory
        return options
    }
}
