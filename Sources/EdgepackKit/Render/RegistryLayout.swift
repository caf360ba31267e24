import OCIKit

/// Where a pipeline's artifacts live under a registry prefix (SPEC "What lands in the registry").
public struct RegistryLayout: Sendable, Equatable {
    /// Used when neither `--registry` nor the definition names a registry: clearly not a real one.
    public static let placeholderPrefix = "registry.invalid/set-registry-prefix"

    /// e.g. `ghcr.io/acme/edge`, without scheme or trailing slash.
    public var prefix: String

    public init(prefix: String) throws {
        var text = prefix
        // HTTPS is the default and oci:// is how Helm writes it; plain HTTP is a connection choice, never
        // implied by a prefix (dropping the scheme silently would then speak HTTPS to an HTTP registry).
        if text.lowercased().hasPrefix("http://") {
            throw InputError(.invalidReference, "registry prefix '\(prefix)' names http://; give it without a scheme (HOST[:PORT][/PATH])",
                             remedy: .connectWithPlainHTTP)
        }
        for scheme in ["oci://", "https://"] where text.hasPrefix(scheme) { text.removeFirst(scheme.count) }
        while text.hasSuffix("/") { text.removeLast() }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard let host = parts.first, !host.isEmpty, !text.contains(" "), !text.contains("@"),
              parts.dropFirst().allSatisfy({ ValueFormat.isPathComponent(String($0)) })
        else {
            throw OCIError(.invalidReference, "invalid registry prefix '\(prefix)': expected HOST[:PORT][/PATH], e.g. ghcr.io/acme/edge")
        }
        self.prefix = text
    }

    /// The prefix from a flag, else from the definition, else the placeholder.
    public static func resolve(flag: String?, definition: PipelineDefinition) throws -> RegistryLayout {
        try RegistryLayout(prefix: flag ?? definition.registry ?? placeholderPrefix)
    }

    public var isPlaceholder: Bool { prefix == Self.placeholderPrefix }

    /// The registry host (and port): what `docker login` and the engine's OCI_REGISTRY take.
    public var host: String { String(prefix.split(separator: "/", maxSplits: 1)[0]) }

    /// A repository relative to the prefix (`models/ccfraud`) as people and engines name it, host included.
    public func name(of relative: String) -> String { "\(prefix)/\(relative)" }

    public func pipeline(_ name: String, _ version: String) -> String { self.name(of: "pipelines/\(name):\(version)") }
    public func model(_ name: String, _ version: String) -> String { self.name(of: "models/\(name):\(version)") }
    public func chartRepository(_ name: String) -> String { self.name(of: "charts/\(name)") }
    public func compose(_ name: String, _ version: String) -> String { self.name(of: "compose/\(name):\(version)") }

    public static func chartVersion(_ pipelineVersion: String) -> String { "0.0.1-\(pipelineVersion)" }
}
