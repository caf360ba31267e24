import OCIKit

/// What may name a channel. A channel's tags live in `pipelines/NAME` and `compose/NAME` beside the tags edgepack
/// writes there itself, so a channel may not take their shapes: moving it would overwrite a version (a UUID), the
/// referrers index of a manifest (`sha256-HEX`), or cosign's signatures and attestations (`sha256-HEX.sig`, `.att`,
/// `.sbom`). `latest` is refused too: edgepack never writes it, and other tools read a reference without a tag as
/// `latest`. A chart version (`0.0.1-UUID`, in `charts/NAME`) names a version as well.
public enum ChannelName {
    /// Throws one line naming the mistake when `name` cannot be a channel; checks nothing in a registry.
    public static func check(_ name: String) throws {
        if let reason = refusal(name) {
            throw OCIError(.invalidReference, "'\(shown(name))' cannot be a channel: \(reason); choose a name such as prod")
        }
    }

    static func refusal(_ name: String) -> String? {
        if ValueFormat.isUUID(name) { return "it has the shape of a version tag" }
        if name.lowercased() == "latest" { return "edgepack never writes latest (tools read a reference without a tag as latest)" }
        if isDigestTag(name) { return "it has the shape of the tags that hold signatures, attestations and referrers (ALGORITHM-HEX)" }
        if name.hasPrefix(RegistryLayout.chartVersion("")), ValueFormat.isUUID(String(name.dropFirst(RegistryLayout.chartVersion("").count))) {
            return "it has the shape of a chart version tag"
        }
        if !ReferenceName.isTag(name) { return "a channel is a tag name ([A-Za-z0-9_][A-Za-z0-9._-]{0,127})" }
        return nil
    }

    /// `sha256-…`, `sha512-…` and the like: the referrers tag schema's `ALGORITHM-HEX` and cosign's tags after it.
    static func isDigestTag(_ name: String) -> Bool {
        name.prefixMatch(of: /(?i)sha(256|384|512)-/) != nil
    }

    /// The name as a message shows it: one line, and not the whole of a huge value.
    static func shown(_ name: String) -> String {
        let limit = 80
        return MessageText.escaped(name.count > limit ? String(name.prefix(limit)) + "…" : name)
    }
}

/// What may name a version of a pipeline: a UUID (edgepack derives versions as UUIDv5; a definition's own
/// `version` must be a UUID too).
public enum VersionName {
    public static func check(_ version: String, of pipeline: String) throws {
        guard ValueFormat.isUUID(version) else {
            throw OCIError(.invalidReference, "'\(ChannelName.shown(version))' is not a version of \(pipeline): a version is a UUID such as 2c5968b7-62fa-49f8-9489-aaf84cfb80aa (list them with 'edgepack publishes \(pipeline)')")
        }
    }
}
