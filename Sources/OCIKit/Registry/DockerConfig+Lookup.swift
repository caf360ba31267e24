extension DockerConfig {
    /// The credential helper docker would ask for `host`: its `credHelpers` entry, else the `credsStore`
    /// (when `auths` has no entry of its own for the host).
    public func helper(for host: String) -> String? {
        if let helper = (document["credHelpers"] as? [String: String])?.first(where: { Self.sameRegistry($0.key, host) })?.value {
            return helper
        }
        if (document["auths"] as? [String: Any])?.keys.contains(where: { Self.sameRegistry($0, host) }) == true { return nil }
        return (document["credsStore"] as? String).flatMap { $0.isEmpty ? nil : $0 }
    }

    /// A saved registry that is `host` under another loopback name and the same port (`localhost:5000` and
    /// `127.0.0.1:5000`): docker treats them as different registries, which surprises people.
    public func loopbackAlias(of host: String) -> String? {
        guard let (name, port) = Self.loopbackParts(Self.normalize(host)) else { return nil }
        let saved = Array(((document["auths"] as? [String: Any]) ?? [:]).keys) + Array(((document["credHelpers"] as? [String: String]) ?? [:]).keys)
        return saved.map(Self.normalize).sorted().first { key in
            guard let (otherName, otherPort) = Self.loopbackParts(key) else { return false }
            return otherPort == port && otherName != name
        }
    }

    /// `127.0.0.1:5000` -> ("127.0.0.1", "5000"); nil unless the host is a loopback name.
    static func loopbackParts(_ host: String) -> (String, String)? {
        let name: String, port: String
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return nil }
            name = String(host[host.index(after: host.startIndex)..<close])
            port = String(host[close...].dropFirst().drop { $0 == ":" })
        } else {
            let parts = host.split(separator: ":", maxSplits: 1).map(String.init)
            name = parts.first ?? ""
            port = parts.count > 1 ? parts[1] : ""
        }
        return name == "localhost" || name == "::1" || name.hasPrefix("127.") ? (name, port) : nil
    }
}
