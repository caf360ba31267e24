import Foundation

/// One blob's upload into an upload session, surviving dropped connections, 5xx answers mid-body and registry
/// restarts: after any failure it asks the registry where the session stands (`GET` → `Range`) and goes on
/// from there, or opens a new session when the old one is gone. It never sends to a session at an offset the
/// registry has not confirmed. Registry quirks (a body limit on PUT, a cap per request, no PATCH, 201 for a
/// chunk) are handled as they show up, remembered for the rest of the run, and reported as fallbacks.
struct BlobUpload {
    let client: RegistryClient
    let descriptor: Descriptor
    let repository: Repository
    let source: @Sendable (Int64, Int64) throws -> any UploadSource

    private enum Mode { case monolithic, chunked }

    /// How one request went.
    private enum Step {
        case finished(HTTPResponse)
        case advanced(UploadSession)
        /// Interrupted: the registry may hold part of what was sent; ask it before going on.
        case interrupted(OCIError, retryAfter: String?)
        case refused(HTTPResponse)
    }

    static let smallestChunk: Int64 = 64 << 10

    private var scopes: [String] { [RegistryClient.scope(repository, "pull,push")] }
    private var counters: TransferCounters { client.counters }

    /// Uploads into a session an earlier run left, else into a new one.
    func run() throws {
        var minimumChunk: Int64 = 0
        var session: UploadSession
        if let earlier = resumeEarlierRun() {
            session = earlier
        } else {
            (session, minimumChunk) = try open()
        }
        remember(session)
        let quirks = client.learned.withLock { $0 }
        // A blob too large to send again lightly goes in large chunks: each one the registry confirms survives
        // a dropped link or a killed run (a registry keeps no part of a whole-blob PUT that did not finish).
        let checkpointed = client.options.chunkSize == nil && descriptor.size > client.options.checkpointAbove
        var mode: Mode = client.options.chunkSize == nil && !checkpointed && minimumChunk == 0 && !quirks.refusesLargeBodies && session.offset == 0 ? .monolithic : .chunked
        if quirks.refusesChunks { mode = .monolithic }
        let preferredChunk = client.options.chunkSize ?? (checkpointed ? client.options.checkpointChunkSize : RegistryOptions.defaultChunkSize)
        var chunkSize = max(preferredChunk, minimumChunk, 1)
        var failures = 0
        var furthest = session.offset
        var retriedWholeBlob = false

        while true {
            if let cap = client.learned.withLock({ $0.chunkCap }) { chunkSize = min(chunkSize, max(cap / 2, Self.smallestChunk)) }
            let start = session.offset
            let step: Step
            do {
                step = try attempt(session, mode: mode, chunkSize: chunkSize)
            } catch let error as OCIError where error.code == .network {
                step = .interrupted(error, retryAfter: nil)
            }
            switch step {
            case .finished(let response):
                if Self.isDigestError(response) {
                    // Once: a session resumed after a fault may hold bytes the registry kept wrongly. Again: the file changed.
                    guard !retriedWholeBlob, furthest > 0 || failures > 0 else { throw digestMismatch() }
                    retriedWholeBlob = true
                    counters.note(.newUploadSession)
                    session = try open().session
                    continue
                }
                guard response.status == 201 else { throw client.failure(response, "finish the upload of \(descriptor.digest) to \(repository)") }
                if descriptor.size >= Self.rememberAbove { client.options.uploadSessions?.remove(registry: client.host, repository: repository.path, digest: descriptor.digest) }
                return try finished(response)

            case .advanced(let next):
                session = next
                failures = 0
                // Every chunk: registries built on distribution answer a status query made with an older
                // session URL by cancelling the upload, so only the newest URL may be written down.
                remember(session)

            case .interrupted(let error, let retryAfter):
                failures += 1
                guard failures < client.options.retry.attempts, !(error.isStall && failures > 1) else { throw error }
                try client.pause(attempt: failures - 1, retryAfter: retryAfter, sink: nil)
                session = try resynchronize(session, after: error)
                if session.offset > furthest {
                    furthest = session.offset
                    failures = 0  // progress: the link is flaky, not dead
                }
                if session.offset > 0 {
                    counters.resumesCounter.add(1, ordering: .relaxed)
                    counters.resumedBytesCounter.add(session.offset, ordering: .relaxed)
                    counters.note(.resumedUpload)
                }
                // A whole-blob PUT cut short goes on in chunks from the registry's offset.
                if mode == .monolithic, session.offset > 0, !client.learned.withLock({ $0.refusesChunks }) { mode = .chunked }
                remember(session)

            case .refused(let response):
                failures += 1
                guard failures < client.options.retry.attempts + 2 else { throw client.failure(response, "upload \(descriptor.digest) to \(repository)") }
                let refusedLength = mode == .monolithic ? descriptor.size - start : min(chunkSize, descriptor.size - start)
                switch (mode, response.status) {
                case (.monolithic, _) where start == 0 && [400, 405, 413, 416].contains(response.status) && !client.learned.withLock({ $0.refusesChunks }):
                    client.learned.withLock { $0.refusesLargeBodies = true }
                    counters.note(.chunkedAfterBodyLimit)
                    mode = .chunked
                case (.chunked, 413), (.chunked, 416):
                    let resynchronized = try resynchronize(session, after: nil)
                    if resynchronized.offset == start {
                        // Nothing was taken and the offset was right: the chunk was too large for this registry.
                        guard refusedLength > Self.smallestChunk else { throw client.failure(response, "upload a chunk of \(descriptor.digest) to \(repository)") }
                        client.learned.withLock { $0.chunkCap = min($0.chunkCap ?? refusedLength, refusedLength) }
                        counters.note(.smallerChunks)
                    }
                    session = resynchronized
                    continue
                case (.chunked, _) where Self.refusesChunks(response) && !client.learned.withLock({ $0.refusesLargeBodies }):
                    client.learned.withLock { $0.refusesChunks = true }
                    counters.note(.monolithicWithoutChunks)
                    mode = .monolithic
                default:
                    throw client.failure(response, mode == .monolithic ? "upload \(descriptor.digest) to \(repository)"
                                                                         : "upload a chunk of \(descriptor.digest) to \(repository)")
                }
                session = try resynchronize(session, after: nil)
            }
        }
    }

    /// Sends the next request: the rest of the blob in one PUT, or the next chunk, or (all sent) the closing PUT.
    private func attempt(_ session: UploadSession, mode: Mode, chunkSize: Int64) throws -> Step {
        let start = session.offset
        let remaining = descriptor.size - start
        let source = self.source, client = self.client
        if remaining <= 0 || mode == .monolithic {
            let body: @Sendable () throws -> any UploadSource = { remaining > 0 ? client.counted(try source(start, remaining)) : MemoryUploadSource([]) }
            let response = try client.send(HTTPRequest(
                method: .put, url: RegistryClient.appending(session.location, "digest=\(descriptor.digest)"),
                headers: remaining > 0 ? [("Content-Type", "application/octet-stream")] : [], body: body
            ), scopes: scopes, retrying: false)
            if response.status == 201 || Self.isDigestError(response) { return .finished(response) }
            if RetryPolicy.isRetryable(status: response.status) || Self.isSessionGone(response) {
                return .interrupted(client.failure(response, "upload \(descriptor.digest) to \(repository)"), retryAfter: response.header("retry-after"))
            }
            return .refused(response)
        }
        let length = min(chunkSize, remaining)
        let response = try client.send(HTTPRequest(
            method: .patch, url: session.location,
            headers: [("Content-Type", "application/octet-stream"), ("Content-Range", "\(start)-\(start + length - 1)")],
            body: { client.counted(try source(start, length)) }
        ), scopes: scopes, retrying: false)
        switch response.status {
        case 202, 201, 204:
            if response.status == 201 { counters.note(.chunkAnswered201) }
            let offset = RegistryClient.rangeEnd(response.header("range")).map { $0 + 1 } ?? start + length
            return .advanced(try session.after(response, offset: offset, client: client))
        default:
            if RetryPolicy.isRetryable(status: response.status) || Self.isSessionGone(response) {
                return .interrupted(client.failure(response, "upload a chunk of \(descriptor.digest) to \(repository)"), retryAfter: response.header("retry-after"))
            }
            return .refused(response)
        }
    }

    /// Asks the registry where the session stands; a session it no longer knows is replaced by a new one.
    private func resynchronize(_ session: UploadSession, after error: OCIError?) throws -> UploadSession {
        let response: HTTPResponse
        do {
            response = try client.send(HTTPRequest(method: .get, url: session.location), scopes: scopes)
        } catch let failure as OCIError where failure.code == .network {
            throw error ?? failure
        }
        if response.status == 204 || response.status == 200 {
            return try session.after(response, offset: Self.offset(fromRange: response.header("range")), client: client)
        }
        guard response.status == 404 || response.status == 400 || response.status == 410 else {
            throw error ?? client.failure(response, "check the upload of \(descriptor.digest) to \(repository)")
        }
        counters.note(.newUploadSession)
        let opened = try open().session
        remember(opened)
        return opened
    }

    /// Continues an upload an earlier run left open, if the registry still has it.
    private func resumeEarlierRun() -> UploadSession? {
        guard descriptor.size >= Self.rememberAbove, let store = client.options.uploadSessions,
              let saved = store.load(registry: client.host, repository: repository.path, digest: descriptor.digest)
        else { return nil }
        guard saved.size == descriptor.size, (try? client.requireOwnOrigin(saved.location, "an upload location")) != nil,
              let response = try? client.send(HTTPRequest(method: .get, url: saved.location), scopes: scopes),
              response.status == 204 || response.status == 200
        else {
            store.remove(registry: client.host, repository: repository.path, digest: descriptor.digest)
            return nil
        }
        let offset = Self.offset(fromRange: response.header("range"))
        guard offset <= descriptor.size else { return nil }
        if offset > 0 {
            counters.resumesCounter.add(1, ordering: .relaxed)
            counters.resumedBytesCounter.add(offset, ordering: .relaxed)
            counters.note(.resumedEarlierUpload)
        }
        return try? UploadSession(resuming: saved, answer: response, offset: offset, client: client)
    }

    private func open() throws -> (session: UploadSession, minimumChunk: Int64) {
        let response = try client.send(HTTPRequest(method: .post, url: "\(client.baseURL)/v2/\(repository)/blobs/uploads/", body: { MemoryUploadSource([]) }),
                                       scopes: scopes)
        if response.status == 404, response.bodyText.contains("NAME_UNKNOWN") {
            throw OCIError(.notFound, "\(client.host) has no repository \(repository) and does not create repositories on push: create it in the registry, then run again")
        }
        guard let opened = try Self.opened(response, by: client) else { throw client.failure(response, "start an upload to \(repository)") }
        return opened
    }

    /// The session an answer to `POST …/blobs/uploads/` opened, with the smallest chunk the registry takes.
    private static func opened(_ response: HTTPResponse, by client: RegistryClient) throws -> (session: UploadSession, minimumChunk: Int64)? {
        guard let session = try UploadSession(opened: response, by: client) else { return nil }
        return (session, Int64(response.header("oci-chunk-min-length") ?? "") ?? 0)
    }

    /// Blobs smaller than this are not worth a file per session: a killed run sends them again.
    static let rememberAbove: Int64 = 16 << 20

    private func remember(_ session: UploadSession) {
        guard descriptor.size >= Self.rememberAbove else { return }
        client.options.uploadSessions?.save(registry: client.host, repository: repository.path, descriptor: descriptor,
                                            location: session.location, offset: session.offset)
    }

    private func finished(_ response: HTTPResponse) throws {
        if let sent = response.header("docker-content-digest"), sent != descriptor.digest.string {
            throw OCIError(.digestMismatch, "\(client.host) stored \(descriptor.digest) in \(repository) as \(sent)")
        }
        counters.uploadedBlobsCounter.add(1, ordering: .relaxed)
        counters.uploadedBytesCounter.add(descriptor.size, ordering: .relaxed)
    }

    private func digestMismatch() -> OCIError {
        OCIError(.digestMismatch, "\(client.host) rejected blob \(descriptor.digest): its content no longer matches (a model file changed since it was hashed?)")
    }

    /// `Range: 0-N` means N+1 bytes; distribution also answers `0-0` for an empty session, so `0-0` counts as none
    /// (at worst one byte is sent again and refused with 416, then read back right).
    static func offset(fromRange header: String?) -> Int64 {
        guard let end = RegistryClient.rangeEnd(header), end > 0 else { return 0 }
        return end + 1
    }

    static func isSessionGone(_ response: HTTPResponse) -> Bool {
        response.status == 404 || response.status == 410
            || response.status == 400 && (response.bodyText.contains("BLOB_UPLOAD_UNKNOWN") || response.bodyText.contains("BLOB_UPLOAD_INVALID"))
    }

    static func isDigestError(_ response: HTTPResponse) -> Bool { RegistryClient.isDigestError(response) }

    /// The registry does not do chunked uploads (PATCH): 405/501, or 400 with UNSUPPORTED.
    static func refusesChunks(_ response: HTTPResponse) -> Bool {
        response.status == 405 || response.status == 501 || response.status == 400 && response.bodyText.contains("UNSUPPORTED")
    }
}

/// An upload body that reports what it sends (progress, and the bytes a flaky link cost).
final class CountingUploadSource: UploadSource {
    private let inner: any UploadSource
    private let onRead: @Sendable (Int) -> Void
    var length: Int64 { inner.length }

    init(_ inner: any UploadSource, onRead: @escaping @Sendable (Int) -> Void) {
        self.inner = inner
        self.onRead = onRead
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = try inner.read(into: buffer)
        onRead(count)
        return count
    }
}

extension RegistryClient {
    func counted(_ source: any UploadSource) -> any UploadSource {
        let counters = self.counters, onUpload = self.onUpload
        return CountingUploadSource(source) { count in
            counters.sentBytesCounter.add(Int64(count), ordering: .relaxed)
            onUpload?(count)
        }
    }
}
