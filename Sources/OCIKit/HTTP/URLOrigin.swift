import Foundation

/// Where a URL points: scheme, host and port (the port spelled out, 443 or 80 by default). Credentials for one
/// origin are never sent to another; two URLs share an origin only when all three match, so a URL that merely
/// mentions the registry later in its text (`http://evil/?x=http://registry/…`) does not.
public struct URLOrigin: Hashable, Sendable, CustomStringConvertible {
    public let scheme: String
    public let host: String
    public let port: Int

    /// Nil for anything but an absolute http or https URL with a host.
    public init?(_ url: String) {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
        else { return nil }
        self.scheme = scheme
        self.host = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        self.port = components.port ?? (scheme == "https" ? 443 : 80)
    }

    /// `host:port` (IPv6 in brackets), as a message names it.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Whether the host is this machine's loopback (`localhost`, 127.0.0.0/8, ::1).
    public var isLoopback: Bool { host == "localhost" || host == "::1" || host.hasPrefix("127.") }

    /// `location` (absolute, host-relative or path-relative, as a `Location` or `Link` header gives it) made
    /// absolute against `base`.
    public static func resolve(_ location: String, against base: String) -> String {
        if URLOrigin(location) != nil { return location }
        guard let baseURL = URL(string: base), let resolved = URL(string: location, relativeTo: baseURL) else { return location }
        return resolved.absoluteString
    }
}
