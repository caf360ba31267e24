import Foundation

extension RegistryClient {
    static let manifestAccept = [MediaType.imageManifest, MediaType.imageIndex, MediaType.dockerManifest, MediaType.dockerManifestList].joined(separator: ", ")

    /// The digest a tag (or digest) points at, or nil if there is none.
    public func manifestDigest(_ reference: ManifestReference, in repository: Repository) throws -> Digest? {
        let response = try send(HTTPRequest(method: .head, url: "\(baseURL)/v2/\(repository)/manifests/\(reference)", headers: [("Accept", Self.manifestAccept)]),
                                scopes: [Self.scope(repository, "pull")])
        switch response.status {
        case 200: return response.header("docker-content-digest").flatMap { try? Digest(parsing: $0) }
        case 404: return nil
        default: throw failure(response, "look up \(ImageReference.join(repository, reference))")
        }
    }

    /// Uploads manifest bytes under a tag; the registry's digest must be the digest of exactly these bytes.
    @discardableResult
    public func putManifest(_ blob: Blob, as reference: ManifestReference, in repository: Repository) throws -> Digest {
        guard case .bytes(let bytes) = blob.content else { throw OCIError(.unsupported, "manifests must be in memory") }
        let response = try send(HTTPRequest(
            method: .put, url: "\(baseURL)/v2/\(repository)/manifests/\(reference)",
            headers: [("Content-Type", blob.descriptor.mediaType)], body: { MemoryUploadSource(bytes) }
        ), scopes: [Self.scope(repository, "pull,push")])
        guard response.status == 201 else { throw failure(response, "push the manifest \(ImageReference.join(repository, reference))") }
        if let sent = response.header("docker-content-digest"), sent != blob.descriptor.digest.string {
            throw OCIError(.digestMismatch, "\(host) stored manifest \(ImageReference.join(repository, reference)) as \(sent), expected \(blob.descriptor.digest)")
        }
        return blob.descriptor.digest
    }

    /// Fetches a manifest by tag or digest and checks its bytes against the digest.
    public func fetchManifest(_ reference: ManifestReference, in repository: Repository) throws -> (manifest: Manifest, blob: Blob) {
        let blob = try fetchManifestBytes(reference, in: repository)
        return (try CanonicalJSON.decode(Manifest.self, from: blob.bytes, what: "manifest \(ImageReference.join(repository, reference))"), blob.blob)
    }

    /// A manifest's or index's exact bytes, by tag or digest, checked against the digest; with its descriptor.
    public func fetchManifestBytes(_ reference: ManifestReference, in repository: Repository) throws -> (bytes: [UInt8], blob: Blob) {
        let response = try send(HTTPRequest(method: .get, url: "\(baseURL)/v2/\(repository)/manifests/\(reference)", headers: [("Accept", Self.manifestAccept)]),
                                scopes: [Self.scope(repository, "pull")])
        guard response.status == 200 else { throw failure(response, "fetch \(ImageReference.join(repository, reference))") }
        let blob = Blob(mediaType: response.header("content-type") ?? MediaType.imageManifest, bytes: response.body)
        let expected = reference.digest ?? response.header("docker-content-digest").flatMap { try? Digest(parsing: $0) }
        if let expected, expected != blob.descriptor.digest {
            throw OCIError(.digestMismatch, "\(host) sent a manifest for \(ImageReference.join(repository, reference)) that hashes to \(blob.descriptor.digest), not \(expected)")
        }
        return (response.body, blob)
    }

    /// Every tag of a repository (following pagination); empty when the repository does not exist.
    public func tags(of repository: Repository) throws -> [String] {
        var url = "\(baseURL)/v2/\(repository)/tags/list?n=1000"
        var pages = PageLinks(first: url, client: self, what: "the tag list of \(repository)")
        var all: [String] = []
        while true {
            let response = try send(HTTPRequest(method: .get, url: url), scopes: [Self.scope(repository, "pull")])
            if response.status == 404 { return all }
            guard response.status == 200 else { throw failure(response, "list the tags of \(repository)") }
            struct Page: Decodable { var tags: [String]? }
            // Only what OCI's grammar calls a tag: a listed `../../x` must never become a path to another repository.
            all += (try CanonicalJSON.decode(Page.self, from: response.body, what: "tag list").tags ?? []).filter(ReferenceName.isTag)
            guard let next = try pages.next(after: response, at: url) else { return all }
            url = next
        }
    }
}
