import Foundation

extension RegistryClient {
    /// The blob's size if the repository has it.
    public func blobSize(_ digest: Digest, in repository: Repository) throws -> Int64? {
        let response = try send(HTTPRequest(method: .head, url: "\(baseURL)/v2/\(repository)/blobs/\(digest)"), scopes: [Self.scope(repository, "pull")])
        switch response.status {
        case 200: return Int64(response.header("content-length") ?? "")
        case 404: return nil
        default: throw failure(response, "check blob \(digest) in \(repository)")
        }
    }

    /// Uploads a blob into `repository` from `source` (monolithic; chunked when asked, when the registry requires
    /// it, or when it refuses a monolithic upload), going on after failures from where the registry stands
    /// (`BlobUpload`). No `HEAD` first: the caller has asked (`blobSize`) or knows. Returns the bytes uploaded.
    @discardableResult
    public func pushBlob(_ descriptor: Descriptor, to repository: Repository,
                         source: @escaping @Sendable (_ offset: Int64, _ length: Int64) throws -> any UploadSource) throws -> Int64 {
        try BlobUpload(client: self, descriptor: descriptor, repository: repository, source: source).run()
        return descriptor.size
    }

    /// Streams a blob into `sink`, verifying its digest and size; follows redirects to blob storage, and goes on
    /// after a dropped connection with a `Range` request (`download`).
    public func fetchBlob(_ descriptor: Descriptor, from repository: Repository, into sink: any ByteSink) throws {
        try download(descriptor, from: repository, into: DeclaredSizeSink(descriptor, host: host, forwardingTo: sink))
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
