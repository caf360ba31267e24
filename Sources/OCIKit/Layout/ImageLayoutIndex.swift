/// The `index.json` and `oci-layout` content shared by layout directories and layout archives.
enum ImageLayoutIndex {
    static let headerBytes: [UInt8] = (try? CanonicalJSON.encode(ImageLayoutHeader())) ?? []

    /// One entry per artifact, sorted by reference; `existing` entries with other references are kept.
    static func make(_ artifacts: [Artifact], keeping existing: [Descriptor] = []) -> Index {
        let newReferences = Set(artifacts.map(\.reference))
        let kept = existing.filter { descriptor in
            guard let reference = descriptor.annotations?[AnnotationKey.refName] else { return true }
            return !newReferences.contains(reference)
        }
        let entries = (kept + artifacts.map(\.indexDescriptor)).sorted {
            ($0.annotations?[AnnotationKey.refName] ?? "", $0.digest) < ($1.annotations?[AnnotationKey.refName] ?? "", $1.digest)
        }
        return Index(manifests: entries)
    }

    /// Every blob of the artifacts (manifests included), each once, sorted by digest.
    static func uniqueBlobs(_ artifacts: [Artifact]) -> [Blob] {
        var byDigest: [Digest: Blob] = [:]
        for artifact in artifacts {
            for blob in [artifact.manifestBlob] + artifact.contentBlobs where byDigest[blob.descriptor.digest] == nil {
                byDigest[blob.descriptor.digest] = blob
            }
        }
        return byDigest.values.sorted { $0.descriptor.digest < $1.descriptor.digest }
    }

    static func blobPath(_ digest: Digest) -> String {
        "blobs/\(digest.algorithm)/\(digest.encoded)"
    }
}
