import Foundation

extension RegistryClient {
    /// The manifests that name `subject` as theirs (of `artifactType` when given): through the referrers API when
    /// the registry has it, else through the referrers tag schema (`sha256-HEX`).
    public func referrers(of subject: Digest, in repository: String, artifactType: String? = nil) throws -> [Descriptor] {
        var url = "\(baseURL)/v2/\(repository)/referrers/\(subject)"
        if let artifactType, let encoded = artifactType.addingPercentEncoding(withAllowedCharacters: .alphanumerics) {
            url += "?artifactType=\(encoded)"
        }
        let response = try send(HTTPRequest(method: .get, url: url, headers: [("Accept", MediaType.imageIndex)]),
                                scopes: [Self.scope(Repository(unchecked: repository), "pull")])
        switch response.status {
        case 200 where (response.header("content-type") ?? MediaType.imageIndex).hasPrefix(MediaType.imageIndex):
            return try ReferrersIndex.referrers(in: response.body, artifactType: artifactType)
        case 200, 404, 400, 405:
            // No referrers API (distribution 2.8 answers 404): the fallback tag holds them, if anyone wrote it.
            return try fallbackIndex(of: subject, in: repository).map { $0.index.manifests.filter { artifactType == nil || $0.artifactType == artifactType } } ?? []
        default:
            throw failure(response, "list the referrers of \(ImageReference.join(repository, subject.string))")
        }
    }

    /// Stores `manifest` (whose `subject` is set) by digest, and makes it listed among its subject's referrers: a
    /// registry with the referrers API does so itself (it answers with `OCI-Subject`); otherwise the fallback
    /// tag's index is read, extended and written back, and read again until it lists the manifest (another
    /// client writing the same tag at the same time could otherwise drop it).
    public func attachReferrer(_ blob: Blob, manifest: Manifest, in repository: String) throws {
        guard let subject = manifest.subject else { throw OCIError(.invalidJSON, "a referrer needs a subject") }
        guard case .bytes(let bytes) = blob.content else { throw OCIError(.unsupported, "manifests must be in memory") }
        let response = try send(HTTPRequest(
            method: .put, url: "\(baseURL)/v2/\(repository)/manifests/\(blob.descriptor.digest)",
            headers: [("Content-Type", blob.descriptor.mediaType)], body: { MemoryUploadSource(bytes) }
        ), scopes: [Self.scope(Repository(unchecked: repository), "pull,push")])
        guard response.status == 201 else { throw failure(response, "push the referrer \(ImageReference.join(repository, blob.descriptor.digest.string))") }
        if response.header("oci-subject") == subject.digest.string { return }
        let entry = ReferrersIndex.descriptor(of: blob, manifest: manifest)
        for _ in 0..<8 {
            let current = try fallbackIndex(of: subject.digest, in: repository)
            if current?.index.manifests.contains(where: { $0.digest == entry.digest }) == true { return }
            let updated = ReferrersIndex.adding(entry, to: current?.index)
            try putManifest(Blob(mediaType: MediaType.imageIndex, bytes: try CanonicalJSON.encode(updated)),
                            as: .tag(ReferrersIndex.tag(for: subject.digest)), in: Repository(unchecked: repository))
        }
        throw OCIError(.registry, "\(host) kept losing the referrer \(blob.descriptor.digest) of \(subject.digest) to other writers of \(ReferrersIndex.tag(for: subject.digest)); try again")
    }

    /// The index under the fallback tag, or nil when there is none (one GET either way).
    func fallbackIndex(of subject: Digest, in repository: String) throws -> (index: Index, digest: Digest)? {
        let tag = ReferrersIndex.tag(for: subject)
        let response = try send(HTTPRequest(method: .get, url: "\(baseURL)/v2/\(repository)/manifests/\(tag)", headers: [("Accept", MediaType.imageIndex)]),
                                scopes: [Self.scope(Repository(unchecked: repository), "pull")])
        if response.status == 404 { return nil }
        guard response.status == 200 else { throw failure(response, "fetch \(ImageReference.join(repository, tag))") }
        return (try CanonicalJSON.decode(Index.self, from: response.body, what: "referrers index \(tag)"), SHA256Hasher.digest(response.body))
    }
}
