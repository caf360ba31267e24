/// A parsed `WWW-Authenticate` header: `Bearer realm="…",service="…",scope="…"` or `Basic realm="…"`.
public struct AuthChallenge: Sendable, Equatable {
    public var scheme: String
    public var parameters: [String: String]

    public var realm: String? { parameters["realm"] }
    public var service: String? { parameters["service"] }
    public var scope: String? { parameters["scope"] }
    public var error: String? { parameters["error"] }

    /// The first challenge in a header (registries send one); nil when there is none to parse.
    public init?(header: String) {
        var scanner = Scanner(Array(header.unicodeScalars))
        scanner.skipSpaces()
        let scheme = scanner.token()
        guard !scheme.isEmpty else { return nil }
        self.scheme = scheme.lowercased()
        var parameters: [String: String] = [:]
        while true {
            scanner.skipSpaces()
            let key = scanner.token()
            guard !key.isEmpty, scanner.accept("=") else { break }
            let value = scanner.accept("\"") ? scanner.quotedRest() : scanner.token(allowing: "/:.,-_~+*@")
            parameters[key.lowercased()] = value
            scanner.skipSpaces()
            guard scanner.accept(",") else { break }
        }
        self.parameters = parameters
    }

    private struct Scanner {
        let scalars: [Unicode.Scalar]
        var position = 0
        init(_ scalars: [Unicode.Scalar]) { self.scalars = scalars }

        mutating func skipSpaces() {
            while position < scalars.count, scalars[position] == " " || scalars[position] == "\t" { position += 1 }
        }

        mutating func accept(_ symbol: Unicode.Scalar) -> Bool {
            guard position < scalars.count, scalars[position] == symbol else { return false }
            position += 1
            return true
        }

        mutating func token(allowing extra: String = "-_.") -> String {
            var out = String.UnicodeScalarView()
            // A bare value may contain commas only when it is the last thing; stop at ',' to keep parameters apart.
            let allowed = extra.unicodeScalars.filter { $0 != "," }
            while position < scalars.count, scalars[position].properties.isAlphabetic || ("0"..."9").contains(scalars[position]) || allowed.contains(scalars[position]) {
                out.append(scalars[position])
                position += 1
            }
            return String(out)
        }

        /// After an opening quote: up to the closing one, with backslash escapes.
        mutating func quotedRest() -> String {
            var out = String.UnicodeScalarView()
            while position < scalars.count {
                let scalar = scalars[position]
                position += 1
                if scalar == "\\", position < scalars.count {
                    out.append(scalars[position])
                    position += 1
                } else if scalar == "\"" {
                    break
                } else {
                    out.append(scalar)
                }
            }
            return String(out)
        }
    }
}
