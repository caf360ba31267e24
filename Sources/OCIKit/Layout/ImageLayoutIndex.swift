/// The `index.json` and `oci-layout` content shared by layout directories and layout archives.
enum ImageLayoutIndex {
    static let headerBytes: [UInt8] = (try? CanonicalJSON.encode(ImageLayoutHeader())) ?? []

    /// `entries` (each named by its ref name), sorted by reference; `existing` entries with other references are kept.
    static func make(_ entries: [Descriptor], keeping existing: [Descriptor] = []) -> Index {
        let newReferences = Set(entries.compactMap { $0.annotations?[AnnotationKey.refName] })
        let kept = existing.filter { descriptor in
            guard let reference = descriptor.annotations?[AnnotationKey.refName] else { return true }
            return !newReferences.contains(reference)
        }
        let sorted = (kept + entries).sorted {
            ($0.annotations?[AnnotationKey.refName] ?? "", $0.digest) < ($1.annotations?[AnnotationKey.refName] ?? "", $1.digest)
        }
        return Index(manifests: sorted)
    }

    /// A manifest's index entry, named `repository:tag`.
    static func entry(_ descriptor: Descriptor, repository: String, tag: String) -> Descriptor {
        var entry = descriptor
        entry.annotations = [AnnotationKey.refName: "\(repository):\(tag)"]
        return entry
    }

    static func blobPath(_ digest: Digest) -> String {
        "blobs/\(digest.algorithm)/\(digest.encoded)"
    }
}
