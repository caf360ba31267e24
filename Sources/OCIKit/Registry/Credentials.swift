/// How edgepack identifies itself to a registry. Never printed: `description` hides the secret.
public enum Credential: Sendable, Equatable, CustomStringConvertible {
    case anonymous
    case password(username: String, password: String)
    /// An OAuth2 refresh token (docker config's `identitytoken`), exchanged for access tokens.
    case identityToken(String)

    public var description: String {
        switch self {
        case .anonymous: "anonymous"
        case .password(let username, _): "user \(username)"
        case .identityToken: "an identity token"
        }
    }

    var basicAuthorization: String? {
        guard case .password(let username, let password) = self else { return nil }
        return "Basic " + Base64.encode(Array("\(username):\(password)".utf8))
    }
}

enum Base64 {
    static func encode(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out = [UInt8]()
        var index = 0
        while index < bytes.count {
            let chunk = Array(bytes[index..<min(index + 3, bytes.count)])
            let value = (UInt32(chunk[0]) << 16) | (chunk.count > 1 ? UInt32(chunk[1]) << 8 : 0) | (chunk.count > 2 ? UInt32(chunk[2]) : 0)
            for position in 0..<4 {
                out.append(position <= chunk.count ? alphabet[Int((value >> UInt32(18 - 6 * position)) & 0x3f)] : UInt8(ascii: "="))
            }
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}
