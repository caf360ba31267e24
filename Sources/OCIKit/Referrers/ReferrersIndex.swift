/// The OCI 1.1 referrers of a manifest as an index, and the fallback a registry without the referrers API needs
/// (distribution-spec 1.1, "referrers tag schema"): an index tagged `ALG-HEX` in the subject's repository, which
/// clients read, extend and write back themselves.
public enum ReferrersIndex {
    /// The fallback tag for a subject: `sha256:abc…` -> `sha256-abc…`.
    public static func tag(for subject: Digest) -> String {
        subject.string.replacingOccurrences(of: ":", with: "-")
    }

    /// The referrers a response (the referrers API's index, or the fallback tag's) lists, keeping only those of
    /// `artifactType` when one is asked for (a registry may ignore the filter: it says so in
    /// `OCI-Filters-Applied`, and filtering again costs nothing).
    public static func referrers(in bytes: [UInt8], artifactType: String?) throws -> [Descriptor] {
        let index = try CanonicalJSON.decode(Index.self, from: bytes, what: "referrers index")
        return index.manifests.filter { artifactType == nil || $0.artifactType == artifactType }
    }

    /// `existing` (the fallback tag's index, or nil when there is none) with `descriptor` added once: the bytes to
    /// write back under the fallback tag. Entries are kept in the order they were added.
    public static func adding(_ descriptor: Descriptor, to existing: Index?) -> Index {
        var index = existing ?? Index(manifests: [])
        index.mediaType = MediaType.imageIndex
        if !index.manifests.contains(where: { $0.digest == descriptor.digest }) { index.manifests.append(descriptor) }
        return index
    }

    /// The descriptor a referrers index lists for a manifest: its media type, digest, size, artifact type and
    /// annotations (so listing needs no extra fetch).
    public static func descriptor(of blob: Blob, manifest: Manifest) -> Descriptor {
        Descriptor(mediaType: blob.descriptor.mediaType, digest: blob.descriptor.digest, size: blob.descriptor.size,
                   annotations: manifest.annotations, artifactType: manifest.artifactType ?? manifest.config.mediaType)
    }
}
