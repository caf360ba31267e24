import Foundation
import Synchronization

/// Answers a registry's auth challenges and remembers the result: Basic credentials, or Bearer tokens cached
/// per set of scopes until shortly before they expire (then fetched again, mid-publish if need be).
final class AuthenticationKeeper: Sendable {
    struct CachedToken {
        var value: String
        var expires: Date
    }

    let host: String
    let credential: Credential
    let transport: HTTPTransport
    /// Whether a token realm may be plain HTTP (only when the registry itself is, on loopback or by --insecure).
    let allowPlainRealm: Bool
    private let tokens = Mutex<[String: CachedToken]>([:])
    private let challenge = Mutex<AuthChallenge?>(nil)
    private let refreshToken = Mutex<String?>(nil)
    static let expiryMargin: TimeInterval = 10

    init(host: String, credential: Credential, transport: HTTPTransport, allowPlainRealm: Bool) {
        self.host = host
        self.credential = credential
        self.transport = transport
        self.allowPlainRealm = allowPlainRealm
        if case .identityToken(let token) = credential { refreshToken.withLock { $0 = token } }
    }

    /// The Authorization header for a request needing `scopes`, if one is known and still valid.
    func authorization(for scopes: [String]) -> String? {
        guard let known = challenge.withLock({ $0 }) else { return nil }
        if known.scheme == "basic" { return credential.basicAuthorization }
        let key = Self.key(scopes)
        return tokens.withLock { cache in
            guard let token = cache[key], token.expires > Date() else { return nil }
            return "Bearer \(token.value)"
        }
    }

    /// Handles a 401's challenge; returns the Authorization header to retry with.
    func authenticate(_ header: String?, scopes: [String]) throws -> String {
        guard let header, let parsed = AuthChallenge(header: header) else {
            throw OCIError(.unauthorized, "\(host) refused the request (401) without saying how to authenticate")
        }
        challenge.withLock { $0 = parsed }
        switch parsed.scheme {
        case "basic":
            guard let authorization = credential.basicAuthorization else {
                throw OCIError(.unauthorized, "\(host) needs a username and password", remedy: .supplyCredentials(host: host),
                               refusal: RegistryRefusal(reason: .credentialsNeeded, host: host, action: nil, account: credential.description))
            }
            return authorization
        case "bearer":
            var wanted = scopes
            if let scope = parsed.scope { wanted += scope.split(separator: " ").map(String.init) }
            let token = try fetchToken(parsed, scopes: Array(Set(wanted)).sorted())
            tokens.withLock { $0[Self.key(scopes)] = token }
            return "Bearer \(token.value)"
        default:
            throw OCIError(.unauthorized, "\(host) asks for '\(parsed.scheme)' authentication, which edgepack does not speak")
        }
    }

    /// Forgets the token for `scopes` (the registry refused it: expired or revoked).
    func invalidate(_ scopes: [String]) {
        _ = tokens.withLock { $0.removeValue(forKey: Self.key(scopes)) }
    }

    private func fetchToken(_ challenge: AuthChallenge, scopes: [String]) throws -> CachedToken {
        guard let realm = challenge.realm, let url = URL(string: realm), let scheme = url.scheme else {
            throw OCIError(.unauthorized, "\(host) sent a Bearer challenge without a usable realm")
        }
        guard scheme == "https" || (scheme == "http" && allowPlainRealm) else {
            throw OCIError(.unauthorized, "\(host)'s token service \(realm) is plain HTTP; refusing to send credentials there")
        }
        let response: HTTPResponse
        if let refresh = refreshToken.withLock({ $0 }) {
            var form = ["grant_type=refresh_token", "refresh_token=\(Self.formEncode(refresh))", "client_id=edgepack"]
            if let service = challenge.service { form.append("service=\(Self.formEncode(service))") }
            if !scopes.isEmpty { form.append("scope=\(Self.formEncode(scopes.joined(separator: " ")))") }
            let body = Array(form.joined(separator: "&").utf8)
            response = try transport.send(HTTPRequest(method: "POST", url: realm, headers: [("Content-Type", "application/x-www-form-urlencoded")], body: { MemoryUploadSource(body) }))
        } else {
            var components = URLComponents(string: realm)!
            var query = components.queryItems ?? []
            if let service = challenge.service { query.append(URLQueryItem(name: "service", value: service)) }
            query += scopes.map { URLQueryItem(name: "scope", value: $0) }
            if case .password(let username, _) = credential { query.append(URLQueryItem(name: "account", value: username)) }
            components.queryItems = query
            let headers = credential.basicAuthorization.map { [("Authorization", $0)] } ?? []
            response = try transport.send(HTTPRequest(method: "GET", url: components.url!.absoluteString, headers: headers))
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

    static func key(_ scopes: [String]) -> String { scopes.sorted().joined(separator: " ") }

    static func formEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
