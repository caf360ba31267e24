import Foundation

extension RegistryClient {
    public enum BlobOutcome: Sendable, Equatable {
        case existed, mounted, uploaded(bytes: Int64)
    }

    /// The blob's size if the repository has it.
    public func blobSize(_ digest: Digest, in repository: String) throws -> Int64? {
        let response = try send(HTTPRequest(method: "HEAD", url: "\(baseURL)/v2/\(repository)/blobs/\(digest)"), scopes: [Self.scope(repository, "pull")])
        switch response.status {
        case 200: return Int64(response.header("content-length") ?? "")
        case 404: return nil
        default: throw failure(response, "check blob \(digest) in \(repository)")
        }
    }

    /// Makes sure `repository` has the blob: already there, mounted from one of `mountFrom` (same registry),
    /// or uploaded from `source` (monolithic; chunked when asked, when the registry requires it, or when it
    /// refuses a monolithic upload).
    public func pushBlob(_ descriptor: Descriptor, to repository: String, mountFrom: [String] = [], source: @escaping @Sendable (_ offset: Int64, _ length: Int64) throws -> any UploadSource) throws -> BlobOutcome {
        let pushScope = Self.scope(repository, "pull,push")
        if try blobSize(descriptor.digest, in: repository) != nil {
            counters.existingBlobsCounter.add(1, ordering: .relaxed)
            return .existed
        }
        for origin in mountFrom where origin != repository {
            let scopes = [pushScope, Self.scope(origin, "pull")]
            let url = "\(baseURL)/v2/\(repository)/blobs/uploads/?mount=\(descriptor.digest)&from=\(origin)"
            let response = try send(HTTPRequest(method: "POST", url: url, body: { MemoryUploadSource([]) }), scopes: scopes)
            if response.status == 201 {
                counters.mountedBlobsCounter.add(1, ordering: .relaxed)
                return .mounted
            }
            guard response.status == 202 else { throw failure(response, "mount \(descriptor.digest) into \(repository)") }
            // The registry could not mount and opened an upload instead: use it.
            return try upload(descriptor, to: repository, session: response, source: source)
        }
        return try upload(descriptor, to: repository, session: nil, source: source)
    }

    private func startUpload(_ repository: String) throws -> HTTPResponse {
        let response = try send(HTTPRequest(method: "POST", url: "\(baseURL)/v2/\(repository)/blobs/uploads/", body: { MemoryUploadSource([]) }),
                                scopes: [Self.scope(repository, "pull,push")])
        guard response.status == 202, response.header("location") != nil else { throw failure(response, "start an upload to \(repository)") }
        return response
    }

    private func upload(_ descriptor: Descriptor, to repository: String, session: HTTPResponse?, source: @escaping @Sendable (Int64, Int64) throws -> any UploadSource) throws -> BlobOutcome {
        var session = try session ?? startUpload(repository)
        let minimumChunk = Int64(session.header("oci-chunk-min-length") ?? "") ?? 0
        if options.chunkSize == nil, minimumChunk == 0 {
            let location = resolve(session.header("location")!, against: "\(baseURL)/v2/")
            let response = try send(HTTPRequest(
                method: "PUT", url: Self.appending(location, "digest=\(descriptor.digest)"),
                headers: [("Content-Type", "application/octet-stream")],
                body: { try self.counted(source(0, descriptor.size)) }
            ), scopes: [Self.scope(repository, "pull,push")])
            if response.status == 201 {
                return try finished(descriptor, response, repository)
            }
            // Some registries refuse large monolithic PUTs (413, or 400 with a size error): go chunked.
            guard [400, 405, 413, 416].contains(response.status), !Self.isDigestError(response) else {
                throw Self.isDigestError(response)
                    ? OCIError(.digestMismatch, "\(host) rejected blob \(descriptor.digest): its content no longer matches (a model file changed since it was hashed?)")
                    : failure(response, "upload \(descriptor.digest) to \(repository)")
            }
            session = try startUpload(repository)
        }
        let chunk = max(options.chunkSize ?? RegistryOptions.defaultChunkSize, minimumChunk, 1)
        return try uploadChunked(descriptor, to: repository, session: session, chunkSize: chunk, source: source)
    }

    /// PATCH chunk after chunk, resuming from the registry's own offset after a failure, then PUT ?digest=.
    private func uploadChunked(_ descriptor: Descriptor, to repository: String, session: HTTPResponse, chunkSize: Int64, source: @escaping @Sendable (Int64, Int64) throws -> any UploadSource) throws -> BlobOutcome {
        let scopes = [Self.scope(repository, "pull,push")]
        var location = resolve(session.header("location")!, against: "\(baseURL)/v2/")
        var offset: Int64 = 0
        var resumes = 0
        while offset < descriptor.size {
            let length = min(chunkSize, descriptor.size - offset)
            let start = offset
            let response: HTTPResponse
            do {
                response = try send(HTTPRequest(
                    method: "PATCH", url: location,
                    headers: [("Content-Type", "application/octet-stream"), ("Content-Range", "\(start)-\(start + length - 1)")],
                    body: { try self.counted(source(start, length)) }
                ), scopes: scopes)
            } catch let error as OCIError where error.code == .network && resumes < options.retry.attempts {
                resumes += 1
                offset = try uploadedOffset(location, scopes: scopes) ?? offset
                continue
            }
            if response.status == 201 { return try finished(descriptor, response, repository) }  // ECR may finish early
            guard response.status == 202 else {
                if response.status == 416, resumes < options.retry.attempts, let resumed = try uploadedOffset(location, scopes: scopes) {
                    resumes += 1
                    offset = resumed
                    continue
                }
                throw failure(response, "upload a chunk of \(descriptor.digest) to \(repository)")
            }
            if let next = response.header("location") { location = resolve(next, against: location) }
            offset = Self.rangeEnd(response.header("range")).map { $0 + 1 } ?? start + length
        }
        let response = try send(HTTPRequest(method: "PUT", url: Self.appending(location, "digest=\(descriptor.digest)"), body: { MemoryUploadSource([]) }), scopes: scopes)
        guard response.status == 201 else {
            throw Self.isDigestError(response)
                ? OCIError(.digestMismatch, "\(host) rejected blob \(descriptor.digest): its content no longer matches (a model file changed since it was hashed?)")
                : failure(response, "finish the upload of \(descriptor.digest) to \(repository)")
        }
        return try finished(descriptor, response, repository)
    }

    /// Where the registry says an interrupted upload got to (GET on the upload URL; Range: 0-N).
    private func uploadedOffset(_ location: String, scopes: [String]) throws -> Int64? {
        let response = try send(HTTPRequest(method: "GET", url: location), scopes: scopes)
        guard response.status == 204 else { return nil }
        return Self.rangeEnd(response.header("range")).map { $0 + 1 } ?? 0
    }

    private func finished(_ descriptor: Descriptor, _ response: HTTPResponse, _ repository: String) throws -> BlobOutcome {
        if let sent = response.header("docker-content-digest"), sent != descriptor.digest.string {
            throw OCIError(.digestMismatch, "\(host) stored \(descriptor.digest) in \(repository) as \(sent)")
        }
        counters.uploadedBlobsCounter.add(1, ordering: .relaxed)
        counters.uploadedBytesCounter.add(descriptor.size, ordering: .relaxed)
        return .uploaded(bytes: descriptor.size)
    }

    private func counted(_ source: any UploadSource) -> any UploadSource {
        if let file = source as? FileUploadSource, let onUpload { file.onRead = onUpload }
        return source
    }

    /// Streams a blob into `sink`, verifying its digest and size; follows redirects to blob storage.
    public func fetchBlob(_ descriptor: Descriptor, from repository: String, into sink: any ByteSink) throws {
        let verifier = HashingSink(forwardingTo: sink)
        let response = try send(HTTPRequest(method: "GET", url: "\(baseURL)/v2/\(repository)/blobs/\(descriptor.digest)"),
                                scopes: [Self.scope(repository, "pull")], into: verifier)
        guard response.status == 200 else { throw failure(response, "download \(descriptor.digest) from \(repository)") }
        let digest = verifier.finalize()
        guard digest == descriptor.digest, verifier.count == descriptor.size else {
            throw OCIError(.digestMismatch, "\(host) sent content for \(descriptor.digest) that hashes to \(digest) (\(verifier.count) bytes); refusing it")
        }
        counters.downloadedBytesCounter.add(verifier.count, ordering: .relaxed)
    }

    /// Downloads a blob into a new file at `path` (verified; on failure the file is removed).
    public func fetchBlob(_ descriptor: Descriptor, from repository: String, toFile path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw OCIError.io("create", path, errno: errno) }
        defer { close(fd) }
        do {
            try fetchBlob(descriptor, from: repository, into: RewindableFileSink(fd: fd, path: path))
        } catch {
            unlink(path)
            throw error
        }
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

/// A file a retried download can start over in (truncated and rewound).
final class RewindableFileSink: RestartableDownload {
    private let file: FileDescriptorSink
    init(fd: Int32, path: String) { file = FileDescriptorSink(fd: fd, path: path) }
    func write(_ bytes: UnsafeRawBufferPointer) throws { try file.write(bytes) }
    func restart() throws {
        guard ftruncate(file.fd, 0) == 0, lseek(file.fd, 0, SEEK_SET) == 0 else { throw OCIError(.io, "cannot restart a download") }
    }
}
