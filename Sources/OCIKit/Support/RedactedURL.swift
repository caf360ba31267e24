import Foundation

/// A URL as it may be written into an artifact or printed: without its userinfo (`user:password@`), and with
/// the values of query (and fragment) parameters that look like credentials replaced by `REDACTED`, their names
/// kept so a reader sees one was there. Text that is not a URL comes back as it was.
///
///     https://x:ghp_1@github.com/a.git?access_token=t&ref=main -> https://github.com/a.git?access_token=REDACTED&ref=main
public enum RedactedURL {
    public static let placeholder = "REDACTED"

    public static func redacting(_ text: String) -> String {
        guard let schemeEnd = text.range(of: "://"), isScheme(text[..<schemeEnd.lowerBound]) else { return text }
        let authorityStart = schemeEnd.upperBound
        let authorityEnd = text[authorityStart...].firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? text.endIndex
        var result = String(text[..<authorityStart])
        let authority = text[authorityStart..<authorityEnd]
        result += authority.lastIndex(of: "@").map { authority[authority.index(after: $0)...] } ?? authority
        var rest = text[authorityEnd...]
        let fragmentStart = rest.firstIndex(of: "#")
        let fragment = fragmentStart.map { rest[rest.index(after: $0)...] }
        if let fragmentStart { rest = rest[..<fragmentStart] }
        if let query = rest.firstIndex(of: "?") {
            result += rest[...query] + redactingParameters(rest[rest.index(after: query)...])
        } else {
            result += rest
        }
        if let fragment { result += "#" + redactingParameters(fragment) }
        return result
    }

    /// Whether a query parameter named `name` carries a credential (case-insensitive, percent-decoded): tokens,
    /// signatures, keys, passwords and secrets, AWS's `X-Amz-*`, Google's signed-URL parameters and Azure SAS `sig`.
    public static func isCredentialParameter(_ name: String) -> Bool {
        let name = (name.removingPercentEncoding ?? name).lowercased()
        if credentialNames.contains(name) || name.hasPrefix("x-amz-") || name.hasPrefix("x-goog-signature") || name.hasPrefix("x-goog-credential") {
            return true
        }
        return credentialSuffixes.contains { name.hasSuffix($0) }
    }

    static let credentialNames: Set<String> = ["sig", "key", "auth", "authorization", "credential", "credentials", "pwd", "passwd", "apikey"]
    static let credentialSuffixes = ["token", "signature", "secret", "password", "_key", "-key", "api-key", "apikey"]

    /// `a=1&token=x` -> `a=1&token=REDACTED` (parameters without `=` kept as they are).
    static func redactingParameters(_ parameters: Substring) -> String {
        parameters.split(separator: "&", omittingEmptySubsequences: false).map { parameter in
            guard let equals = parameter.firstIndex(of: "="), isCredentialParameter(String(parameter[..<equals])) else { return String(parameter) }
            return parameter[...equals] + placeholder
        }.joined(separator: "&")
    }

    /// RFC 3986: `ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )`.
    static func isScheme(_ text: Substring) -> Bool {
        guard let first = text.unicodeScalars.first, first.isASCII, first.properties.isAlphabetic else { return false }
        return text.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "+-.".unicodeScalars.contains($0)) }
    }
}
