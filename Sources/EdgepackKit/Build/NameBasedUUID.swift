import OCIKit

/// Name-based UUIDs (RFC 9562 version 5): the same name always gives the same UUID, so versions derived
/// from content are stable across runs and machines.
public enum NameBasedUUID {
    /// edgepack's own namespace (itself the version-5 UUID of "edgepack" in the URL namespace).
    static let namespace: [UInt8] = make(namespace: urlNamespace, name: "https://edgepack.dev/versions").bytes
    static let urlNamespace: [UInt8] = [0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8]

    public static func make(_ name: String) -> String {
        make(namespace: namespace, name: name).text
    }

    static func make(namespace: [UInt8], name: String) -> (bytes: [UInt8], text: String) {
        var hash = Array(SHA1.hash(namespace + Array(name.utf8)).prefix(16))
        hash[6] = (hash[6] & 0x0f) | 0x50
        hash[8] = (hash[8] & 0x3f) | 0x80
        let hex = hash.map { String($0, radix: 16).leftPadded(to: 2) }.joined()
        let parts = [hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4), hex.dropFirst(16).prefix(4), hex.dropFirst(20)]
        return (hash, parts.joined(separator: "-"))
    }
}

private extension String {
    func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
