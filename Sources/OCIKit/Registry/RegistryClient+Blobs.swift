import Foundation

extension RegistryClient {
    public enum BlobOutcome: Sendable, Equatable {
        case existed, mounted, uploaded(bytes: Int64)
    }

    /// The blob's size if the repository has it.
    public func blobSize(_ digest: Digest, in repository: Repository) throws -> Int64? {
        let response = try send(HTTPRequest(method: .head, url: "\(baseURL)/v2/\(repository)/blobs/\(digest)"), scopes: [Self.scope(repository, "pull")])
        switch response.status {
        case 200: return Int64(response.header("content-length") ?? "")
        case 404: return nil
        default: throw failure(response, "check blob \(digest) in \(repository)")
        }
    }

    /// Makes sure `repository` has the blob: already there, mounted from one of `mountFrom` (same registry),
    /// or uploaded from `source` (monolithic; chunked when asked, when the registry requires it, or when it
    /// refuses a monolithic upload). `checkFirst` false skips the `HEAD` (the caller just asked).
    public func pushBlob(_ descriptor: Descriptor, to repository: Repository, mountFrom: [Repository] = [], checkFirst: Bool = true,
                         source: @escaping @Sendable (_ offset: Int64, _ length: Int64) throws -> any UploadSource) throws -> BlobOutcome {
        let pushScope = Self.scope(repository, "pull,push")
        if checkFirst, try blobSize(descriptor.digest, in: repository) != nil {
            counters.existingBlobsCounter.add(1, ordering: .relaxed)
            return .existed
        }
        for origin in mountFrom where origin != repository {
            let scopes = [pushScope, Self.scope(origin, "pull")]
            let url = "\(baseURL)/v2/\(repository)/blobs/uploads/?mount=\(descriptor.digest)&from=\(origin)"
            let response = try send(HTTPRequest(method: .post, url: url, body: { MemoryUploadSource([]) }), scopes: scopes)
            if response.status == 201 {
                counters.mountedBlobsCounter.add(1, ordering: .relaxed)
                return .mounted
            }
            // The registry could not mount and opened an upload instead: use it.
            guard let opened = try BlobUpload.opened(response, by: self) else { throw failure(response, "mount \(descriptor.digest) into \(repository)") }
            return try BlobUpload(client: self, descriptor: descriptor, repository: repository, source: source).run(opened: opened)
        }
        return try BlobUpload(client: self, descriptor: descriptor, repository: repository, source: source).run(opened: nil)
    }

    /// Streams a blob into `sink`, verifying its digest and size; follows redirects to blob storage.
    public func fetchBlob(_ descriptor: Descriptor, from repository: Repository, into sink: any ByteSink) throws {
        let verifier = HashingSink(forwardingTo: sink)
        let response = try send(HTTPRequest(method: .get, url: "\(baseURL)/v2/\(repository)/blobs/\(descriptor.digest)"),
                                scopes: [Self.scope(repository, "pull")], into: DeclaredSizeSink(forwardingTo: verifier, descriptor: descriptor, host: host))
        guard response.status == 200 else { throw failure(response, "download \(descriptor.digest) from \(repository)") }
        let digest = verifier.finalize()
        guard digest == descriptor.digest, verifier.count == descriptor.size else {
            throw OCIError(.digestMismatch, "\(host) sent content for \(descriptor.digest) that hashes to \(digest) (\(verifier.count) bytes); refusing it")
        }
        counters.downloadedBytesCounter.add(verifier.count, ordering: .relaxed)
    }

    static func appending(_ url: String, _ query: String) -> String {
        url + (url.contains("?") ? "&" : "?") + query
    }

    static func rangeEnd(_ header: String?) -> Int64? {
        guard let header, let dash = header.lastIndex(of: "-") else { return nil }
        return Int64(header[header.index(after: dash)...].trimmingCharacters(in: .whitespaces))
    }

    static func isDigestError(_ response: HTTPResponse) -> Bool {
        response.status == 400 && response.bodyText.contains("DIGEST_INVALID")
    }
}
