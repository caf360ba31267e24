extension RegistryClient {
    /// The one mount: asks the registry to link a blob it holds in `origin` into `repository` (no bytes move).
    /// True on 201, which also answers "already there". A registry that cannot mount answers 202 and opens an
    /// upload session instead; that session is always cancelled here, because no caller uploads straight after
    /// a mount (the copier asks `blobSize` or tries another origin first, and an upload opens its own session),
    /// so the registry is not left holding sessions nobody writes to.
    public func mountBlob(_ digest: Digest, into repository: Repository, from origin: Repository) throws -> Bool {
        let scopes = [Self.scope(repository, "pull,push"), Self.scope(origin, "pull")]
        let url = "\(baseURL)/v2/\(repository)/blobs/uploads/?mount=\(digest)&from=\(origin)"
        let response = try send(HTTPRequest(method: .post, url: url, body: { MemoryUploadSource([]) }), scopes: scopes)
        switch response.status {
        case 201:
            counters.mountedBlobsCounter.add(1, ordering: .relaxed)
            return true
        case 202:
            if let session = try? UploadSession(opened: response, by: self) {
                _ = try? send(HTTPRequest(method: .delete, url: session.location), scopes: [Self.scope(repository, "pull,push")])
            }
            return false
        default:
            throw failure(response, "mount \(digest) into \(repository)")
        }
    }
}
