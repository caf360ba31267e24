import CCurl
import Foundation
import Synchronization

/// How to reach a registry.
public struct RegistryOptions: Sendable {
    public var transport = TransportOptions()
    /// Speak plain HTTP. Allowed for loopback hosts, or for any host with `transport.insecure`.
    public var plainHTTP = false
    public var retry = RetryPolicy()
    /// Blobs uploaded at once.
    public var concurrency = Copier.defaultConcurrency
    /// Force chunked uploads with this chunk size (else monolithic, chunked only when the registry needs it).
    public var chunkSize: Int64?
    public static let defaultChunkSize: Int64 = 4 << 20
    /// Without a chunk size, blobs larger than this go in chunks of `checkpointChunkSize` instead of one PUT,
    /// so that an interruption (even a killed run) costs at most one chunk.
    public var checkpointAbove: Int64 = 512 << 20
    public var checkpointChunkSize: Int64 = 128 << 20
    /// Where open uploads are remembered between runs (nil: only within this run).
    public var uploadSessions: UploadSessionStore?
    /// Where interrupted downloads are kept between runs (nil: a download that fails starts over next time).
    public var partialDownloads: String?
    /// The `client_id` a refresh-token exchange names (the OAuth2 form of the token protocol).
    public var clientID = "OCIKit"

    public init() {}
}

/// Counters the client keeps, for reports and tests ("a second publish uploads zero bytes").
public final class TransferCounters: Sendable {
    let uploadedBytesCounter = Atomic<Int64>(0)
    let uploadedBlobsCounter = Atomic<Int>(0)
    let mountedBlobsCounter = Atomic<Int>(0)
    let existingBlobsCounter = Atomic<Int>(0)
    let retriesCounter = Atomic<Int>(0)
    let sentBytesCounter = Atomic<Int64>(0)
    let resumesCounter = Atomic<Int>(0)
    let resumedBytesCounter = Atomic<Int64>(0)
    private let fallbackCounts = Mutex<[String: Int]>([:])
    let downloadedBytesCounter = Atomic<Int64>(0)
    let receivedBytesCounter = Atomic<Int64>(0)
    private let trace: (@Sendable (String) -> Void)?

    init(trace: (@Sendable (String) -> Void)? = nil) {
        self.trace = trace
    }

    public var retries: Int { retriesCounter.load(ordering: .relaxed) }
    /// Every body byte sent, failed attempts included (what a flaky link costs).
    public var sentBytes: Int64 { sentBytesCounter.load(ordering: .relaxed) }
    /// Transfers continued from where the registry (or a partial file) had them, instead of from byte 0.
    public var resumes: Int { resumesCounter.load(ordering: .relaxed) }
    /// Bytes those resumed transfers did not have to send again.
    public var resumedBytes: Int64 { resumedBytesCounter.load(ordering: .relaxed) }
    /// How often each fallback was taken (names in `TransferFallback`).
    public var fallbacks: [String: Int] { fallbackCounts.withLock { $0 } }

    func note(_ fallback: TransferFallback) {
        fallbackCounts.withLock { $0[fallback.rawValue, default: 0] += 1 }
        trace?("! \(fallback.rawValue): \(fallback.explanation)")
    }
    /// Blob bytes downloaded and verified (manifests not counted).
    public var downloadedBytes: Int64 { downloadedBytesCounter.load(ordering: .relaxed) }
    /// Blob bytes received so far, counted as they arrive (progress; a restarted download counts again).
    public var receivedBytes: Int64 { receivedBytesCounter.load(ordering: .relaxed) }
}

/// A client for one registry (the OCI distribution API), with auth, retries and redirects handled. It is
/// made by `connect`, which checks that the registry answers, so every client in hand is a working one.
public final class RegistryClient: Sendable {
    public enum Scheme: String, Sendable { case https, http }

    public let host: String
    public let scheme: Scheme
    public let options: RegistryOptions
    public let counters: TransferCounters
    let transport: HTTPTransport
    let keeper: AuthenticationKeeper
    /// What this run learned about the registry's uploads (it refuses big PUTs, or PATCH, or big chunks).
    let learned = Mutex(UploadQuirks())
    /// Whether the registry has answered this client at all: until it has, a refused connection means nothing
    /// listens there (a wrong port, a stopped registry), which waiting does not mend.
    let answered = Atomic<Bool>(false)
    /// Called with each chunk of bytes uploaded (progress display).
    let onUpload: (@Sendable (Int) -> Void)?

    private init(host: String, scheme: Scheme, credential: Credential, options: RegistryOptions, onUpload: (@Sendable (Int) -> Void)?) {
        self.host = host
        self.scheme = scheme
        self.options = options
        let counters = TransferCounters(trace: options.transport.trace)
        self.counters = counters
        self.transport = HTTPTransport(options: options.transport) { counters.receivedBytesCounter.add(Int64($0), ordering: .relaxed) }
        self.keeper = AuthenticationKeeper(host: host, credential: credential, transport: transport, clientID: options.clientID, allowPlainRealm: scheme == .http || Self.isLoopback(host))
        self.onUpload = onUpload
    }

    /// Connects to `host`: HTTPS (verified), or plain HTTP when `options.plainHTTP` is set (loopback hosts, or
    /// any host with `options.transport.insecure`). A loopback registry that answers HTTPS with no TLS at all
    /// is spoken to in plain HTTP, as docker does; nothing else ever falls back.
    public static func connect(host: String, credential: Credential, options: RegistryOptions = RegistryOptions(),
                               onUpload: (@Sendable (Int) -> Void)? = nil) throws -> RegistryClient {
        if options.plainHTTP, !isLoopback(host), !options.transport.insecure {
            throw OCIError(.unsupported, "plain HTTP is only allowed for loopback registries, not \(host)", obstacle: .plainHTTPToRemoteHost)
        }
        let client = RegistryClient(host: host, scheme: options.plainHTTP ? .http : .https, credential: credential, options: options, onUpload: onUpload)
        do {
            try client.ping()
            return client
        } catch let error as OCIError {
            guard let network = error.cause as? NetworkError, network.code == CURLE_SSL_CONNECT_ERROR, isLoopback(host), !options.plainHTTP else { throw error }
            let plain = RegistryClient(host: host, scheme: .http, credential: credential, options: options, onUpload: onUpload)
            try plain.ping()
            return plain
        }
    }

    static func isLoopback(_ host: String) -> Bool {
        let name = host.hasPrefix("[") ? String(host.dropFirst().prefix { $0 != "]" }) : String(host.split(separator: ":").first ?? "")
        return name == "localhost" || name == "::1" || name.hasPrefix("127.")
    }

    var baseURL: String { "\(scheme.rawValue)://\(host)" }

    /// Checks that the registry answers the distribution API and accepts the credentials (if it asks for any).
    private func ping() throws {
        let response = try send(HTTPRequest(method: .get, url: "\(baseURL)/v2/"), scopes: [])
        guard response.status == 200 else {
            throw response.status == 404
                ? OCIError(.registry, "\(host) does not speak the OCI distribution API (GET /v2/ answered 404)")
                : failure(response, "answer GET /v2/")
        }
    }

    /// Sends a request with the Authorization the scopes need: answers auth challenges, retries transient
    /// failures with a fresh body, and follows redirects (dropping credentials when the origin changes).
    /// With `retrying` false, transient failures (dropped connections, 5xx, 429) are returned or thrown at
    /// once: an upload to a session must not be sent again before asking the registry where it stands.
    /// A request that timed out is tried once more at most: a stalled registry fails in about two timeouts.
    func send(_ request: HTTPRequest, scopes: [String], into sink: (any ByteSink)? = nil, retrying: Bool = true) throws -> HTTPResponse {
        var request = request
        if !retrying { request.resendable = false }
        var authRetries = 0, attempt = 0, redirects = 0, timeouts = 0
        let started = Date()
        keeper.prefetch(for: scopes)
        var authorization = keeper.authorization(for: scopes)
        var redirectedAway = false  // to another origin (blob storage): it never gets our credentials
        while true {
            var withAuth = request
            if let authorization { withAuth.headers.append(("Authorization", authorization)) }
            let response: HTTPResponse
            do {
                response = try transport.send(withAuth, into: sink)
            } catch let error as NetworkError {
                var failure = networkFailure(error, request: request)
                if error.isTimeout { timeouts += 1 }
                let refusedAtFirstContact = error.code == CURLE_COULDNT_CONNECT && !answered.load(ordering: .relaxed)
                guard retrying, error.isTransient, !refusedAtFirstContact, attempt + 1 < options.retry.attempts, timeouts < 2 else {
                    if attempt > 0 {
                        failure = OCIError(failure.code, failure.message + " (\(Self.tries(attempt + 1, since: started)))", cause: failure.cause, obstacle: failure.obstacle)
                    }
                    throw failure
                }
                try pause(attempt: attempt, retryAfter: nil, sink: sink, failure: failure)
                attempt += 1
                continue
            }
            answered.store(true, ordering: .relaxed)
            if response.status == 401, authRetries < 2, !redirectedAway {
                // First 401: no or expired token. Second: a fresh token for exactly these scopes.
                authRetries += 1
                keeper.invalidate(scopes, rejected: authorization)
                authorization = try keeper.authenticate(response.header("www-authenticate"), scopes: scopes, rejected: authorization)
                continue
            }
            if retrying, RetryPolicy.isRetryable(status: response.status), attempt + 1 < options.retry.attempts {
                try pause(attempt: attempt, retryAfter: response.header("retry-after"), sink: sink)
                attempt += 1
                continue
            }
            if attempt > 0, RetryPolicy.isRetryable(status: response.status) {
                var response = response
                response.tries = Self.tries(attempt + 1, since: started)
                return response
            }
            if [301, 302, 303, 307, 308].contains(response.status), request.method.isSafe,
               let location = response.header("location"), redirects < 5 {
                redirects += 1
                let target = resolve(location, against: request.url)
                guard let targetOrigin = URLOrigin(target) else {
                    throw OCIError(.registry, "\(host) redirected a request to something other than an http or https URL; refusing to follow it")
                }
                if targetOrigin != URLOrigin(request.url) {
                    authorization = nil
                    redirectedAway = true
                }
                request.url = target
                continue
            }
            return response
        }
    }

    /// A transfer failure as one line; a timeout says what stalled, where, and for how long.
    /// "3 tries over 2.4 s": how long a request that failed was tried.
    static func tries(_ count: Int, since started: Date) -> String {
        "\(count) tries over \(String(format: "%.1f", Date().timeIntervalSince(started))) s"
    }

    func networkFailure(_ error: NetworkError, request: HTTPRequest) -> OCIError {
        guard error.isTimeout else { return OCIError(.network, error.description, cause: error, obstacle: error.obstacle) }
        let origin = URLOrigin(request.url)?.description ?? host
        let what = RequestSubject.describe(request.url)
        let seconds = options.transport.stallSeconds
        let message = switch error.stage {
        case .connecting: "cannot connect to \(origin) within \(options.transport.connectTimeoutSeconds) s (asking for \(what)): nothing answers there, or a firewall drops the packets"
        case .waiting: "\(origin) sent no byte of \(what) for \(seconds) s: the registry stalled"
        case .receiving: "\(origin) stopped sending \(what): no byte for \(seconds) s"
        }
        return OCIError(.network, message, cause: error)
    }

    func pause(attempt: Int, retryAfter: String?, sink: (any ByteSink)?, failure: OCIError? = nil) throws {
        if let sink = sink as? RestartableDownload {
            do { try sink.restart() } catch { throw failure ?? error }
        } else if sink != nil {
            throw failure ?? OCIError(.network, "the connection to \(host) dropped during a download that cannot restart")
        }
        counters.retriesCounter.add(1, ordering: .relaxed)
        try Cancellation.sleep(seconds: options.retry.delay(attempt: attempt, retryAfter: retryAfter))
    }

    func resolve(_ location: String, against url: String) -> String {
        URLOrigin.resolve(location, against: url)
    }

    /// Refuses `url` (an upload location, a next-page link the registry sent) unless it is on the registry's own
    /// origin: requests there carry credentials and data meant for the registry.
    func requireOwnOrigin(_ url: String, _ what: String) throws {
        let origin = URLOrigin(url)
        guard origin == URLOrigin(baseURL) else {
            throw OCIError(.registry, "\(host) sent \(what) on another host (\(origin?.description ?? "not an http URL")); refusing to send credentials or data there")
        }
    }

    /// The registry's own error body turned into one line: "DENIED: requested access to the resource is denied".
    func failure(_ response: HTTPResponse, _ action: String) -> OCIError {
        struct Body: Decodable {
            struct Entry: Decodable { var code: String?; var message: String? }
            var errors: [Entry]?
        }
        let detail = (try? JSONDecoder().decode(Body.self, from: Data(response.body)))?.errors?
            .map { [$0.code, $0.message].compactMap { $0 }.joined(separator: ": ") }
            .joined(separator: "; ")
        let said = (detail?.isEmpty == false ? detail! : "HTTP \(response.status)") + (response.tries.map { ", \($0)" } ?? "")
        let challenge = response.header("www-authenticate").flatMap(AuthChallenge.init(header:))
        let credential = keeper.credential
        func refusal(_ reason: RegistryRefusal.Reason) -> RegistryRefusal {
            RegistryRefusal(reason: RegistryRefusal.reason(credential, otherwise: reason), host: host, action: action, account: credential.description)
        }
        if response.status == 401, challenge?.error == "insufficient_scope" {
            return OCIError(.denied, "\(host) denied permission to \(action) as \(credential): the account lacks that access", refusal: refusal(.accessDenied))
        }
        switch response.status {
        case 401: return OCIError(.unauthorized, "\(host) refused to \(action) (\(said)): check the credentials", refusal: refusal(.credentialsRejected))
        case 403: return OCIError(.denied, "\(host) denied permission to \(action) as \(credential) (\(said)): the account lacks that access", refusal: refusal(.accessDenied))
        case 404: return OCIError(.notFound, "\(action): not found on \(host) (\(said))")
        default: return OCIError(.registry, "\(host) failed to \(action): \(said)")
        }
    }

    /// Announces the repositories a job will push to: tokens are then asked for groups of them at once, so the
    /// number of token requests grows 32 times slower than the number of repositories.
    public func willPush(to repositories: [Repository]) {
        keeper.expect(repositories.map { Self.scope($0, "pull,push") })
    }

    static func scope(_ repository: Repository, _ actions: String) -> String { "repository:\(repository.path):\(actions)" }
}

extension OCIError {
    /// A transfer that timed out (no byte moved for the stall time): tried again once at most, without progress.
    var isStall: Bool { (cause as? NetworkError)?.isTimeout == true }
}

/// A download sink that can start over when a transfer is retried from the beginning.
protocol RestartableDownload: ByteSink {
    func restart() throws
}
