extension RegistryClient {
    /// Asks the registry to link a blob it holds in `origin` into `repository` (no bytes move). False when it
    /// cannot (the registry then opens an upload session instead, which is cancelled here).
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
