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

    func validate() throws {
        if passwordStdin, username == nil { throw ValidationError("--password-stdin needs --username") }
        if username != nil, !passwordStdin, !LoginPrompt.isAvailable {
            throw ValidationError("--username needs --password-stdin when no terminal can prompt for the password (passwords are never taken as arguments)")
        }
        if let caFile, !FileManager.default.isReadableFile(atPath: caFile) { throw ValidationError("--ca-file \(caFile) is not a readable file") }
    }

    func credentials(host: String? = nil) throws -> CredentialResolver {
        guard let username else { return CredentialResolver() }
        guard passwordStdin else {
            return CredentialResolver(explicit: .password(username: username, password: try LoginPrompt.password(for: host ?? "the registry")))
        }
        var password = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
        while password.hasSuffix("\n") || password.hasSuffix("\r") { password.removeLast() }
        guard !password.isEmpty else { throw CommandError("--password-stdin read an empty password") }
        return CredentialResolver(explicit: .password(username: username, password: password))
    }

    func client(host: String, resolver: CredentialResolver, onUpload: (@Sendable (Int) -> Void)? = nil, uploads: UploadOptions? = nil) throws -> RegistryClient {
        var options = RegistryOptions()
        options.plainHTTP = plainHttp
        options.transport = TransportOptions(caFile: caFile, insecure: insecure)
        options.transport.userAgent = "edgepack/\(EdgepackVersion.string)"
        if let uploads {
            options.concurrency = uploads.concurrency
            options.chunkSize = uploads.chunkSize.flatMap(UploadOptions.bytes)
        }
        let lookup = try resolver.lookup(for: host)
        ErrorAdvice.remember(lookup)
        return try RegistryClient(host: host, credential: lookup.credential, options: options, onUpload: onUpload)
    }

}

/// Progress on stderr: on a terminal, one line redrawn with bytes sent and rate, and a line per blob and tag
/// above it; in CI (`CI=true`) or when stderr is not a terminal, only the plain lines. Nothing with --quiet.
final class ProgressLine: @unchecked Sendable {
    private final class Counter: Sendable { let bytes = Atomic<Int64>(0) }
    private let uploaded = Counter()
    private let enabled: Bool
    private let quiet: Bool
    private var timer: DispatchSourceTimer?
    private let started = Date()
    private let output = NSLock()

    init(quiet: Bool) {
        let environment = ProcessInfo.processInfo.environment
        self.quiet = quiet
        enabled = !quiet && isatty(STDERR_FILENO) == 1 && environment["CI"] != "true" && environment["TERM"] != "dumb"
    }

    /// One plain line per blob and tag.
    var onEvent: @Sendable (ArtifactPusher.Event) -> Void {
        { [self] event in
            guard !quiet else { return }
            let line: String
            switch event {
            case .blob(let descriptor, let repository, let outcome):
                let verb = switch outcome {
                case .existed: "exists  "
                case .mounted: "mounted "
                case .uploaded: "uploaded"
                }
                line = "\(verb) \(descriptor.digest.encoded.prefix(12)) \(ByteCount.format(descriptor.size).padding(toLength: 10, withPad: " ", startingAt: 0)) \(repository)"
            case .tag(let reference, let digest, let written):
                line = "\(written ? "tagged  " : "tag ok  ") \(digest.encoded.prefix(12)) \(reference)"
            }
            output.lock()
            FileHandle.standardError.write(Data(((enabled ? "\r\u{1b}[2K" : "") + line + "\n").utf8))
            output.unlock()
        }
    }

    var onUpload: @Sendable (Int) -> Void {
        { [uploaded] count in uploaded.bytes.add(Int64(count), ordering: .relaxed) }
    }

    func start(_ label: String) {
        guard enabled else { return }
        let timer = DispatchSource.makeTimerSource(queue: .global())
        timer.schedule(deadline: .now(), repeating: .milliseconds(200))
        timer.setEventHandler { [self, uploaded, started] in
            let bytes = uploaded.bytes.load(ordering: .relaxed)
            let rate = Double(bytes) / max(Date().timeIntervalSince(started), 0.001)
            self.output.lock()
            FileHandle.standardError.write(Data("\r\u{1b}[2K\(label): \(ByteCount.format(bytes)) sent, \(ByteCount.format(Int64(rate)))/s".utf8))
            self.output.unlock()
        }
        timer.resume()
        self.timer = timer
    }

    func stop() {
        guard let timer else { return }
        timer.cancel()
        FileHandle.standardError.write(Data("\r\u{1b}[2K".utf8))
    }
}
