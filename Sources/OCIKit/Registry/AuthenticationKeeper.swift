import Foundation
import Synchronization

/// Answers a registry's auth challenges and remembers the result: Basic credentials, or Bearer tokens cached
/// per set of scopes until shortly before they expire (then fetched again, mid-publish if need be).
///
/// When the repositories a job will touch are known ahead (`expect`), tokens are asked for groups of them at once
/// (several `scope` parameters, as the token protocol allows), `groupSize` repositories to a token, and each
/// serves every request it covers: a publish of 200 models costs about a dozen token requests, not 400. Groups, not
/// one token for all: a registry parses and checks the token on every request, and a token naming 200
/// repositories (23 KB) nearly doubles its cost per request (distribution 2.8: 2.7 against 1.5 ms of CPU).
/// While the registry's Bearer challenge is known, a group's token is fetched before its first request, not
/// after a 401. A token service that refuses such a request, or a registry that refuses the token it gave,
/// turns this off: tokens are then fetched per repository as before.
final class AuthenticationKeeper: Sendable {
    struct CachedToken {
        var value: String
        var expires: Date
        /// What the token was asked for, as action sets by resource (`repository:a/b` → pull, push).
        var covers: [String: Set<Substring>] = [:]
    }

    let host: String
    let credential: Credential
    let transport: HTTPTransport
    /// Whether a token realm may be plain HTTP (only when the registry itself is, on loopback or by --insecure).
    let allowPlainRealm: Bool
    private let tokens = Mutex<[String: CachedToken]>([:])
    private let challenge = Mutex<AuthChallenge?>(nil)
    private let refreshToken = Mutex<String?>(nil)
    /// Scopes to ask for in groups, in first-use order (empty: none expected, or refused).
    private let expected = Mutex<[String]>([])
    private let broadTokens = Mutex<[CachedToken]>([])
    /// Set once the token service refused a token for a group: expectations announced later are not grouped either.
    private let broadRefused = Atomic<Bool>(false)
    static let groupSize = 32
    /// One lock per token being fetched (by the scopes it is fetched for): a request waits only for the fetch of
    /// the token it needs, and then shares it; requests for other tokens, or holding a valid one, go on.
    private let flights = Mutex<[String: TokenFlight]>([:])
    /// The `client_id` of a refresh-token exchange.
    let clientID: String
    static let expiryMargin: TimeInterval = 10

    final class TokenFlight: Sendable {
        let lock = Mutex<Void>(())
    }

    init(host: String, credential: Credential, transport: HTTPTransport, clientID: String, allowPlainRealm: Bool) {
        self.host = host
        self.credential = credential
        self.transport = transport
        self.clientID = clientID
        self.allowPlainRealm = allowPlainRealm
        if case .identityToken(let token) = credential { refreshToken.withLock { $0 = token } }
    }

    /// The Authorization header for a request needing `scopes`, if one is known and still valid.
    func authorization(for scopes: [String]) -> String? {
        guard let known = challenge.withLock({ $0 }) else { return nil }
        if known.scheme == "basic" { return credential.basicAuthorization }
        if let broad = coveringBroadToken(scopes) { return "Bearer \(broad.value)" }
        let key = Self.key(scopes)
        return tokens.withLock { cache in
            guard let token = cache[key], token.expires > Date() else { return nil }
            return "Bearer \(token.value)"
        }
    }

    /// Scopes the job will need (e.g. push to every repository of a publish): the next token asked for
    /// includes them all.
    func expect(_ scopes: [String]) {
        guard !broadRefused.load(ordering: .relaxed) else { return }
        expected.withLock { expected in
            var seen = Set(expected)
            expected += scopes.filter { seen.insert($0).inserted }
        }
    }

    /// Fetches the token of the group `scopes` belong to before a request needs it, when the registry's Bearer
    /// challenge is known (the first request then gets no 401); does nothing otherwise, or on any failure (the
    /// request's own 401 then takes the usual path).
    func prefetch(for scopes: [String]) {
        guard let known = challenge.withLock({ $0 }), known.scheme == "bearer", coveringBroadToken(scopes) == nil,
              !expected.withLock({ $0.isEmpty }) else { return }
        oneFetchAtATime(for: scopes) {
            guard coveringBroadToken(scopes) == nil else { return }
            _ = try? fetchBroadToken(known, wanted: scopes)
        }
    }

    /// Runs `fetch` holding the lock of the token `scopes` are served by: that of their group when they are
    /// expected (every repository of a group shares its token), else that of exactly these scopes.
    private func oneFetchAtATime<T>(for scopes: [String], _ fetch: () throws -> T) rethrows -> T {
        let groups = Self.groups(of: scopes, in: expected.withLock { $0 })
        let key = Self.key(groups.isEmpty ? scopes : groups)
        let flight = flights.withLock { flights in
            if let flight = flights[key] { return flight }
            let flight = TokenFlight()
            flights[key] = flight
            return flight
        }
        return try flight.lock.withLock { _ in try fetch() }
    }

    private func coveringBroadToken(_ scopes: [String]) -> CachedToken? {
        let now = Date()
        return broadTokens.withLock { $0.first { $0.expires > now && Self.covers($0, scopes) } }
    }

    /// Handles a 401's challenge to a request sent with `rejected` (nil: none); returns the Authorization header
    /// to retry with. One request at a time fetches a given token: requests refused together for the same scopes
    /// (the first ones, sent before any token existed) share the token the first of them fetched, while a token
    /// for other scopes is fetched at the same time.
    func authenticate(_ header: String?, scopes: [String], rejected: String? = nil) throws -> String {
        guard let header, let parsed = AuthChallenge(header: header) else {
            throw OCIError(.unauthorized, "\(host) refused the request (401) without saying how to authenticate")
        }
        return try oneFetchAtATime(for: scopes) {
            if let current = authorization(for: scopes), current != rejected, parsed.scheme == "bearer" {
                return current
            }
            return try answer(parsed, scopes: scopes)
        }
    }

    private func answer(_ parsed: AuthChallenge, scopes: [String]) throws -> String {
        challenge.withLock { $0 = parsed }
        switch parsed.scheme {
        case "basic":
            guard let authorization = credential.basicAuthorization else {
                throw OCIError(.unauthorized, "\(host) needs a username and password", obstacle: .credentialsNeeded(host: host),
                               refusal: RegistryRefusal(reason: .credentialsNeeded, host: host, action: nil, account: credential.description))
            }
            return authorization
        case "bearer":
            var wanted = scopes
            if let scope = parsed.scope { wanted += scope.split(separator: " ").map(String.init) }
            if let broad = try fetchBroadToken(parsed, wanted: wanted), Self.covers(broad, scopes) {
                return "Bearer \(broad.value)"
            }
            let token = try fetchToken(parsed, scopes: Array(Set(wanted)).sorted())
            tokens.withLock { $0[Self.key(scopes)] = token }
            return "Bearer \(token.value)"
        default:
            throw OCIError(.unauthorized, "\(host) asks for '\(parsed.scheme)' authentication, which is not supported")
        }
    }

    /// Forgets `rejected`, the Authorization the registry just refused for `scopes` (expired or revoked); nil
    /// when none was sent. A refused token for all expected scopes is not asked for again: the registry may not
    /// honour tokens that broad.
    func invalidate(_ scopes: [String], rejected: String?) {
        guard let rejected else { return }
        tokens.withLock { cache in
            let key = Self.key(scopes)
            if let token = cache[key], "Bearer \(token.value)" == rejected { cache.removeValue(forKey: key) }
        }
        let refused: Bool = broadTokens.withLock { broad in
            guard let index = broad.firstIndex(where: { "Bearer \($0.value)" == rejected }) else { return false }
            broad.remove(at: index)
            return true
        }
        if refused { dropExpectations() }
    }

    /// A token for `wanted` and the expected scopes of every group `wanted` touches; nil when none of `wanted` is
    /// expected, or when the token service refuses it (then expectations are dropped and tokens fetched per
    /// repository).
    private func fetchBroadToken(_ challenge: AuthChallenge, wanted: [String]) throws -> CachedToken? {
        let expected = expected.withLock { $0 }
        let groups = Self.groups(of: wanted, in: expected)
        guard !groups.isEmpty else { return nil }
        let all = Array(Set(groups + wanted)).sorted()
        do {
            var token = try fetchToken(challenge, scopes: all)
            token.covers = Self.actionsByResource(all)
            let now = Date()
            broadTokens.withLock { tokens in
                tokens.removeAll { $0.expires <= now }
                tokens.append(token)
            }
            return token
        } catch let error as OCIError where error.code == .unauthorized {
            // Refused (or bad credentials, which the per-repository request that follows reports).
            dropExpectations()
            return nil
        }
    }

    private func dropExpectations() {
        broadRefused.store(true, ordering: .relaxed)
        expected.withLock { $0 = [] }
    }

    /// The expected scopes of every group (`groupSize` consecutive expected repositories) that a resource of
    /// `wanted` is in; empty when none is.
    static func groups(of wanted: [String], in expected: [String]) -> [String] {
        let resources = Set(actionsByResource(wanted).keys)
        var chosen = Set<Int>()
        for (index, scope) in expected.enumerated() where resources.contains(String(scope[..<(scope.lastIndex(of: ":") ?? scope.endIndex)])) {
            chosen.insert(index / groupSize)
        }
        return chosen.sorted().flatMap { expected[($0 * groupSize)..<min(($0 + 1) * groupSize, expected.count)] }
    }

    /// Whether a token asked for its `covers` grants every one of `scopes`.
    static func covers(_ token: CachedToken, _ scopes: [String]) -> Bool {
        actionsByResource(scopes).allSatisfy { resource, actions in token.covers[resource]?.isSuperset(of: actions) ?? false }
    }

    /// `repository:a/b:pull,push` → [`repository:a/b`: pull, push] (the name may not hold the last `:`).
    static func actionsByResource(_ scopes: [String]) -> [String: Set<Substring>] {
        var result: [String: Set<Substring>] = [:]
        for scope in scopes {
            guard let colon = scope.lastIndex(of: ":") else { continue }
            result[String(scope[..<colon]), default: []].formUnion(scope[scope.index(after: colon)...].split(separator: ","))
        }
        return result
    }

    private func fetchToken(_ challenge: AuthChallenge, scopes: [String]) throws -> CachedToken {
        guard let realm = challenge.realm, let origin = URLOrigin(realm) else {
            throw OCIError(.unauthorized, "\(host) sent a Bearer challenge without a usable realm")
        }
        try checkRealm(origin)
        let response: HTTPResponse
        if let refresh = refreshToken.withLock({ $0 }) {
            var form = ["grant_type=refresh_token", "refresh_token=\(Self.formEncode(refresh))", "client_id=\(Self.formEncode(clientID))"]
            if let service = challenge.service { form.append("service=\(Self.formEncode(service))") }
            if !scopes.isEmpty { form.append("scope=\(Self.formEncode(scopes.joined(separator: " ")))") }
            let body = Array(form.joined(separator: "&").utf8)
            response = try transport.send(HTTPRequest(method: .post, url: realm, headers: [("Content-Type", "application/x-www-form-urlencoded")], body: { MemoryUploadSource(body) }))
        } else {
            var components = URLComponents(string: realm)!
            var query = components.queryItems ?? []
            if let service = challenge.service { query.append(URLQueryItem(name: "service", value: service)) }
            query += scopes.map { URLQueryItem(name: "scope", value: $0) }
            if case .password(let username, _) = credential { query.append(URLQueryItem(name: "account", value: username)) }
            components.queryItems = query
            let headers = credential.basicAuthorization.map { [("Authorization", $0)] } ?? []
            response = try transport.send(HTTPRequest(method: .get, url: components.url!.absoluteString, headers: headers))
        }
        guard response.status == 200 else {
            if response.status == 401 || response.status == 403 {
                let reason = RegistryRefusal.reason(credential, otherwise: .credentialsRejected)
                throw OCIError(.unauthorized, "authentication to \(host) failed as \(credential): wrong username or password, or an expired token",
                               refusal: RegistryRefusal(reason: reason, host: host, action: nil, account: credential.description))
            }
            throw OCIError(.unauthorized, "\(host)'s token service answered \(response.status): \(response.bodyText)")
        }
        struct TokenResponse: Decodable {
            var token: String?
            var access_token: String?
            var expires_in: Int?
            var refresh_token: String?
        }
        let decoded = try CanonicalJSON.decode(TokenResponse.self, from: response.body, what: "\(host)'s token response")
        guard let value = decoded.token ?? decoded.access_token, !value.isEmpty else {
            throw OCIError(.unauthorized, "\(host)'s token service sent no token")
        }
        if let refresh = decoded.refresh_token, case .identityToken = credential { refreshToken.withLock { $0 = refresh } }
        let lifetime = TimeInterval(max(decoded.expires_in ?? 60, 1))
        return CachedToken(value: value, expires: Date().addingTimeInterval(max(lifetime - Self.expiryMargin, lifetime / 2)))
    }

    /// Credentials go to a token service over HTTPS; over plain HTTP only when the registry itself is spoken to
    /// that way, and then only on the registry's own host or on loopback (never across a network in the clear).
    private func checkRealm(_ realm: URLOrigin) throws {
        let registryHost = URLOrigin("http://\(host)")?.host
        let elsewhere = realm.host != registryHost
        if elsewhere { transport.options.trace?("! \(host)'s token service is on another host: \(realm)") }
        guard realm.scheme == "http" else { return }
        guard allowPlainRealm else {
            throw OCIError(.unauthorized, "\(host)'s token service (\(realm)) is plain HTTP; refusing to send credentials there")
        }
        guard !elsewhere || realm.isLoopback else {
            throw OCIError(.unauthorized, "\(host)'s token service is on another host (\(realm)) over plain HTTP; refusing to send credentials there (it must be https)")
        }
    }

    static func key(_ scopes: [String]) -> String { scopes.sorted().joined(separator: " ") }

    static func formEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
