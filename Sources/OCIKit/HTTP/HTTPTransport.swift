import Foundation
import CCurl
import Synchronization

/// HTTP over libcurl: proxies from the environment, TLS verified by default, custom CA, connection reuse.
/// Blocking; call it from worker threads. Redirects are not followed here (the registry client follows them
/// itself, so that credentials never travel to another host).
public final class HTTPTransport: Sendable {
    public let options: TransportOptions
    /// Hears of every body byte streamed into a sink (blob downloads), as it arrives: progress.
    let onReceive: (@Sendable (Int) -> Void)?
    private let idleHandles = Mutex<[CurlHandle]>([])

    /// An idle curl easy handle; only ever used by one thread at a time (taken from and returned to the pool).
    private struct CurlHandle: @unchecked Sendable {
        let pointer: UnsafeMutableRawPointer
    }

    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_ALL)) }()
    public init(options: TransportOptions = TransportOptions(), onReceive: (@Sendable (Int) -> Void)? = nil) {
        self.onReceive = onReceive
        _ = Self.globalInit
        self.options = options
    }

    deinit {
        idleHandles.withLock { handles in
            for handle in handles { curl_easy_cleanup(handle.pointer) }
        }
    }

    /// Sends the request. The response body goes to `sink` when one is given (for blobs), else it is
    /// collected in memory up to `limit` bytes (for JSON and manifests).
    public func send(_ request: HTTPRequest, into sink: (any ByteSink)? = nil, limit: Int = 16 << 20) throws -> HTTPResponse {
        let pooled = idleHandles.withLock { $0.popLast() }?.pointer ?? curl_easy_init()
        guard let handle = pooled else { throw OCIError(.network, "libcurl could not start a request") }
        defer {
            curl_easy_reset(handle)
            let idle = CurlHandle(pointer: handle)
            idleHandles.withLock { $0.append(idle) }
        }
        let exchange = Exchange(sink: sink, limit: limit, makeSource: request.body, onReceive: onReceive)
        exchange.stallNanoseconds = UInt64(options.stallSeconds) * 1_000_000_000
        exchange.resendable = request.resendable
        try exchange.rewind()
        let context = Unmanaged.passRetained(exchange)
        defer { context.release() }
        var headerList: UnsafeMutablePointer<curl_slist>?
        // No "Expect: 100-continue": we authenticate before sending bodies, and it costs a round trip.
        for header in request.headers + [("Expect", "")] {
            headerList = curl_slist_append(headerList, "\(header.0): \(header.1)")
        }
        defer { curl_slist_free_all(headerList) }

        options.trace?("> \(request.method.rawValue) \(RedactedURL.redacting(request.url))")
        try configure(handle, request: request, exchange: exchange, context: context.toOpaque(), headers: headerList)
        try Cancellation.check()
        let code = curl_easy_perform(handle)
        if let error = exchange.error { throw error }
        try Cancellation.check()
        guard code == CURLE_OK else {
            var port = 0  // 0: no connection was ever made (reset clears it; a reused connection sets it)
            _ = edgepack_curl_getinfo_long(handle, CURLINFO_PRIMARY_PORT, &port)
            throw NetworkError(code: exchange.stalled ? CURLE_OPERATION_TIMEDOUT : code, url: request.url,
                               stage: port == 0 ? .connecting : exchange.answered ? .receiving : .waiting)
        }
        var status = 0
        _ = edgepack_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return HTTPResponse(status: status, headers: exchange.headers, body: exchange.body)
    }

    private func configure(_ handle: UnsafeMutableRawPointer, request: HTTPRequest, exchange: Exchange, context: UnsafeMutableRawPointer, headers: UnsafeMutablePointer<curl_slist>?) throws {
        func set(_ option: CURLoption, _ value: Int) { _ = edgepack_curl_setopt_long(handle, option, value) }
        _ = request.url.withCString { edgepack_curl_setopt_ptr(handle, CURLOPT_URL, $0) }
        _ = options.userAgent.withCString { edgepack_curl_setopt_ptr(handle, CURLOPT_USERAGENT, $0) }
        _ = edgepack_curl_setopt_ptr(handle, CURLOPT_HTTPHEADER, headers)
        set(CURLOPT_NOSIGNAL, 1)
        set(CURLOPT_FOLLOWLOCATION, 0)
        _ = "http,https".withCString { edgepack_curl_setopt_ptr(handle, CURLOPT_PROTOCOLS_STR, $0) }
        set(CURLOPT_CONNECTTIMEOUT, options.connectTimeoutSeconds)
        set(CURLOPT_BUFFERSIZE, 512 << 10)
        set(CURLOPT_UPLOAD_BUFFERSIZE, 2 << 20)
        set(CURLOPT_TCP_KEEPALIVE, 1)
        if let caFile = options.caFile {
            _ = caFile.withCString { edgepack_curl_setopt_ptr(handle, CURLOPT_CAINFO, $0) }
        }
        if options.insecure {
            set(CURLOPT_SSL_VERIFYPEER, 0)
            set(CURLOPT_SSL_VERIFYHOST, 0)
        }
        _ = edgepack_curl_setopt_write(handle, CURLOPT_WRITEFUNCTION) { data, size, count, context in
            let exchange = Unmanaged<Exchange>.fromOpaque(context!).takeUnretainedValue()
            return exchange.receive(UnsafeRawBufferPointer(start: data, count: size * count))
        }
        _ = edgepack_curl_setopt_ptr(handle, CURLOPT_WRITEDATA, context)
        _ = edgepack_curl_setopt_write(handle, CURLOPT_HEADERFUNCTION) { data, size, count, context in
            let exchange = Unmanaged<Exchange>.fromOpaque(context!).takeUnretainedValue()
            exchange.receiveHeader(UnsafeRawBufferPointer(start: data, count: size * count))
            return size * count
        }
        _ = edgepack_curl_setopt_ptr(handle, CURLOPT_HEADERDATA, context)
        // Called about once a second even when no byte moves, so a stop request (of this thread's scope: a
        // signal, or a failure elsewhere in the same copy) ends a stalled transfer too,
        // and a transfer in which no byte moved for the stall time (waiting for an answer, or within one) ends.
        set(CURLOPT_NOPROGRESS, 0)
        _ = edgepack_curl_setopt_xferinfo(handle) { context, _, received, _, sent in
            if CancellationScope.current.isCancelled { return 1 }
            let exchange = Unmanaged<Exchange>.fromOpaque(context!).takeUnretainedValue()
            return exchange.hasStalled(moved: Int64(received) + Int64(sent)) ? 1 : 0
        }
        _ = edgepack_curl_setopt_ptr(handle, CURLOPT_XFERINFODATA, context)

        switch request.method {
        case .get: break
        case .head: set(CURLOPT_NOBODY, 1)
        case .post, .put, .patch, .delete:
            // UPLOAD sends the body with a Content-Length; the custom method turns its PUT into POST or PATCH.
            set(CURLOPT_UPLOAD, 1)
            _ = edgepack_curl_setopt_off(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(exchange.source?.length ?? 0))
            _ = request.method.rawValue.withCString { edgepack_curl_setopt_ptr(handle, CURLOPT_CUSTOMREQUEST, $0) }
            _ = edgepack_curl_setopt_read(handle, CURLOPT_READFUNCTION) { buffer, size, count, context in
                let exchange = Unmanaged<Exchange>.fromOpaque(context!).takeUnretainedValue()
                return exchange.send(UnsafeMutableRawBufferPointer(start: buffer, count: size * count))
            }
            _ = edgepack_curl_setopt_ptr(handle, CURLOPT_READDATA, context)
            // curl rewinds a body to resend it (a reused connection that turned out dead): start a fresh source.
            _ = edgepack_curl_setopt_seek(handle, CURLOPT_SEEKFUNCTION) { context, offset, origin in
                let exchange = Unmanaged<Exchange>.fromOpaque(context!).takeUnretainedValue()
                guard exchange.resendable, offset == 0, origin == SEEK_SET, (try? exchange.rewind()) != nil else { return CURL_SEEKFUNC_CANTSEEK }
                return CURL_SEEKFUNC_OK
            }
            _ = edgepack_curl_setopt_ptr(handle, CURLOPT_SEEKDATA, context)
        }
    }

    /// The state of one request while curl runs it.
    private final class Exchange {
        let sink: (any ByteSink)?
        let limit: Int
        let makeSource: (@Sendable () throws -> any UploadSource)?
        var source: (any UploadSource)?
        var headers: [(name: String, value: String)] = []
        var body: [UInt8] = []
        var error: (any Error)?
        var resendable = true
        /// Whether any of the response (a status line) has arrived.
        var answered = false
        var stallNanoseconds: UInt64 = 30_000_000_000
        /// Whether the transfer was ended because no byte moved for the stall time.
        private(set) var stalled = false
        private var moved: Int64 = -1
        private var lastMove = DispatchTime.now().uptimeNanoseconds

        /// Notes the bytes moved so far (both ways); true once none moved for the stall time.
        func hasStalled(moved now: Int64) -> Bool {
            let time = DispatchTime.now().uptimeNanoseconds
            if now != moved {
                (moved, lastMove) = (now, time)
                return false
            }
            stalled = time - lastMove >= stallNanoseconds
            return stalled
        }

        let onReceive: (@Sendable (Int) -> Void)?

        init(sink: (any ByteSink)?, limit: Int, makeSource: (@Sendable () throws -> any UploadSource)?, onReceive: (@Sendable (Int) -> Void)?) {
            self.onReceive = onReceive
            self.sink = sink
            self.limit = limit
            self.makeSource = makeSource
        }

        func rewind() throws {
            source = try makeSource?()
        }

        func receive(_ bytes: UnsafeRawBufferPointer) -> Int {
            do {
                if let sink {
                    try sink.write(bytes)
                    onReceive?(bytes.count)
                } else {
                    guard body.count + bytes.count <= limit else {
                        throw OCIError(.registry, "the registry sent a response larger than \(limit) bytes where a small one was expected")
                    }
                    body.append(contentsOf: bytes)
                }
                return bytes.count
            } catch {
                self.error = error
                return 0  // makes curl stop with CURLE_WRITE_ERROR
            }
        }

        func receiveHeader(_ bytes: UnsafeRawBufferPointer) {
            let line = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if line.hasPrefix("HTTP/") {
                answered = true
                headers = []  // a new response (after a 100 Continue, say)
                body = []
                let status = line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
                (sink as? StatusAwareSink)?.responseStarted(status: status)
            } else if let colon = line.firstIndex(of: ":") {
                headers.append((line[..<colon].lowercased(), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
            }
        }

        func send(_ buffer: UnsafeMutableRawBufferPointer) -> Int {
            guard let source else { return 0 }
            do {
                return try source.read(into: buffer)
            } catch {
                self.error = error
                return Int(CURL_READFUNC_ABORT)
            }
        }
    }
}

/// A sink that learns each response's status before its body arrives (to keep error bodies out of a file).
protocol StatusAwareSink: ByteSink {
    func responseStarted(status: Int)
}

/// A transfer that failed below HTTP: no connection, TLS, timeout, dropped connection.
public struct NetworkError: Error, CustomStringConvertible, Sendable {
    /// How far the request had got: connecting, waiting for the answer's first byte, or receiving it.
    public enum Stage: Sendable { case connecting, waiting, receiving }

    public let code: CURLcode
    public let url: String
    public var stage: Stage = .connecting

    /// The connect timeout, or no byte moving for the stall time.
    public var isTimeout: Bool { code == CURLE_OPERATION_TIMEDOUT }

    /// Whether trying again may help (a dropped or timed-out connection; not a bad certificate or host name).
    public var isTransient: Bool {
        [CURLE_COULDNT_CONNECT, CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE, CURLE_SEND_FAIL_REWIND,
         CURLE_OPERATION_TIMEDOUT, CURLE_HTTP2, CURLE_HTTP2_STREAM].contains(code)
    }

    /// What the user can do about it, where there is something.
    public var obstacle: OCIError.Obstacle? {
        switch code {
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE: .untrustedCertificate
        case CURLE_SSL_CONNECT_ERROR: .noTLS
        default: nil
        }
    }

    public var description: String {
        let host = url.split(separator: "/").dropFirst().first.map(String.init) ?? url
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST: return "cannot resolve host \(host): check the registry name"
        case CURLE_COULDNT_CONNECT: return "cannot connect to \(host): nothing is listening there, or a firewall is in the way"
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE:
            return "the TLS certificate of \(host) is not trusted"
        case CURLE_SSL_CONNECT_ERROR: return "TLS handshake with \(host) failed"
        case CURLE_OPERATION_TIMEDOUT: return "\(host) stopped answering (timed out)"
        default: return "request to \(host) failed: \(String(cString: curl_easy_strerror(code)))"
        }
    }
}
