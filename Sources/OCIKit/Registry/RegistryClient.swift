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
    public var concurrency = 4
    /// Force chunked uploads with this chunk size (else monolithic, chunked only when the registry needs it).
    public var chunkSize: Int64?
    public static let defaultChunkSize: Int64 = 4 << 20

    public init() {}
}

/// Counters the client keeps, for reports and tests ("a second publish uploads zero bytes").
public final class TransferCounters: Sendable {
    let uploadedBytesCounter = Atomic<Int64>(0)
    let uploadedBlobsCounter = Atomic<Int>(0)
    let mountedBlobsCounter = Atomic<Int>(0)
    let existingBlobsCounter = Atomic<Int>(0)
    let retriesCounter = Atomic<Int>(0)

    public var uploadedBytes: Int64 { uploadedBytesCounter.load(ordering: .relaxed) }
    public var uploadedBlobs: Int { uploadedBlobsCounter.load(ordering: .relaxed) }
    public var mountedBlobs: Int { mountedBlobsCounter.load(ordering: .relaxed) }
    public var existingBlobs: Int { existingBlobsCounter.load(ordering: .relaxed) }
    public var retries: Int { retriesCounter.load(ordering: .relaxed) }
}

/// A client for one registry (the OCI distribution API), with auth, retries and redirects handled.
public final class RegistryClient: Sendable {
    public let host: String
    public let options: RegistryOptions
    public let counters = TransferCounters()
    let transport: HTTPTransport
    let keeper: AuthenticationKeeper
    private let scheme: Mutex<String>
    /// Called with each chunk of bytes uploaded (progress display).
    let onUpload: (@Sendable (Int) -> Void)?

    public init(host: String, credential: Credential, options: RegistryOptions = RegistryOptions(), onUpload: (@Sendable (Int) -> Void)? = nil) throws {
        let loopback = Self.isLoopback(host)
        if options.plainHTTP, !loopback, !options.transport.insecure {
            throw OCIError(.unsupported, "plain HTTP is only allowed for loopback registries; add --insecure to allow it for \(host)")
        }
        self.host = host
        self.options = options
        self.transport = HTTPTransport(options: options.transport)
        self.keeper = AuthenticationKeeper(host: host, credential: credential, transport: transport, allowPlainRealm: options.plainHTTP || loopback)
        self.scheme = Mutex(options.plainHTTP ? "http" : "https")
        self.onUpload = onUpload
    }

    static func isLoopback(_ host: String) -> Bool {
        let name = host.hasPrefix("[") ? String(host.dropFirst().prefix { $0 != "]" }) : String(host.split(separator: ":").first ?? "")
        return name == "localhost" || name == "::1" || name.hasPrefix("127.")
    }

    var baseURL: String { "\(scheme.withLock { $0 })://\(host)" }

    /// Checks that the registry answers the distribution API (and, for loopback hosts without --plain-http,
    /// falls back to HTTP when there is no TLS, as docker does).
    public func ping() throws {
        let response: HTTPResponse
        do {
            response = try send(HTTPRequest(method: "GET", url: "\(baseURL)/v2/"), scopes: [])
        } catch let error as OCIError {
            guard let network = error.cause as? NetworkError, network.code == CURLE_SSL_CONNECT_ERROR,
                  Self.isLoopback(host), !options.plainHTTP, scheme.withLock({ $0 }) == "https"
            else { throw error }
            scheme.withLock { $0 = "http" }
            response = try send(HTTPRequest(method: "GET", url: "\(baseURL)/v2/"), scopes: [])
        }
        guard response.status == 200 else {
            throw response.status == 404
                ? OCIError(.registry, "\(host) does not speak the OCI distribution API (GET /v2/ answered 404)")
                : failure(response, "answer GET /v2/")
        }
    }

    /// Sends a request with the Authorization the scopes need: answers auth challenges, retries transient
    /// failures with a fresh body, and follows redirects (dropping credentials when the host changes).
    func send(_ request: HTTPRequest, scopes: [String], into sink: (any ByteSink)? = nil) throws -> HTTPResponse {
        var request = request
        var authRetries = 0, attempt = 0, redirects = 0
        var authorization = keeper.authorization(for: scopes)
        var redirectedAway = false  // to another host (blob storage): it never gets our credentials
        while true {
            var withAuth = request
            if let authorization { withAuth.headers.append(("Authorization", authorization)) }
            let response: HTTPResponse
            do {
                response = try transport.send(withAuth, into: sink)
            } catch let error as NetworkError {
                guard error.isTransient, attempt + 1 < options.retry.attempts else { throw OCIError(.network, error.description, cause: error) }
                try pause(attempt: attempt, retryAfter: nil, sink: sink)
                attempt += 1
                continue
            }
            if response.status == 401, authRetries < 2, !redirectedAway {
                // First 401: no or expired token. Second: a fresh token for exactly these scopes.
                authRetries += 1
                keeper.invalidate(scopes)
                authorization = try keeper.authenticate(response.header("www-authenticate"), scopes: scopes)
                continue
            }
            if RetryPolicy.isRetryable(status: response.status), attempt + 1 < options.retry.attempts {
                try pause(attempt: attempt, retryAfter: response.header("retry-after"), sink: sink)
                attempt += 1
                continue
            }
            if [301, 302, 303, 307, 308].contains(response.status), ["GET", "HEAD"].contains(request.method),
               let location = response.header("location"), redirects < 5 {
                redirects += 1
                let target = resolve(location, against: request.url)
                if Self.hostOf(target) != Self.hostOf(request.url) {
                    authorization = nil
                    redirectedAway = true
                }
                request.url = target
                continue
            }
            return response
        }
    }

    private func pause(attempt: Int, retryAfter: String?, sink: (any ByteSink)?) throws {
        if let sink = sink as? RestartableDownload { try sink.restart() } else if sink != nil {
            throw OCIError(.network, "the connection to \(host) dropped during a download that cannot restart")
        }
        counters.retriesCounter.add(1, ordering: .relaxed)
        Thread.sleep(forTimeInterval: options.retry.delay(attempt: attempt, retryAfter: retryAfter))
    }

    func resolve(_ location: String, against url: String) -> String {
        if location.hasPrefix("http://") || location.hasPrefix("https://") { return location }
        if location.hasPrefix("/") {
            let parts = url.components(separatedBy: "://")
            let host = parts[1].split(separator: "/", maxSplits: 1)[0]
            return "\(parts[0])://\(host)\(location)"
        }
        return url.split(separator: "/").dropLast().joined(separator: "/") + "/" + location
    }

    static func hostOf(_ url: String) -> String {
        url.components(separatedBy: "://").last?.split(separator: "/").first.map(String.init) ?? url
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
        let said = (detail?.isEmpty == false ? detail! : "HTTP \(response.status)")
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

    static func scope(_ repository: String, _ actions: String) -> String { "repository:\(repository):\(actions)" }
}

/// A download sink that can start over when a transfer is retried from the beginning.
protocol RestartableDownload: ByteSink {
    func restart() throws
}
