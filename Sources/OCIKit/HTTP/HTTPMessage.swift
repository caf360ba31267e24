/// The HTTP methods the distribution API uses.
public enum HTTPMethod: String, Sendable {
    case get = "GET", head = "HEAD", post = "POST", put = "PUT", patch = "PATCH", delete = "DELETE"

    /// A method with no body that only reads: a redirect may be followed with it as is.
    public var isSafe: Bool { self == .get || self == .head }
}

/// One HTTP request; the body is made anew for each attempt.
public struct HTTPRequest: Sendable {
    public var method: HTTPMethod
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: (@Sendable () throws -> any UploadSource)?
    /// Whether libcurl may send the body again by itself (on a reused connection found dead). Not for uploads
    /// into a session: the registry may have kept part of the first attempt, so the caller must ask it first.
    public var resendable = true

    public init(method: HTTPMethod, url: String, headers: [(name: String, value: String)] = [], body: (@Sendable () throws -> any UploadSource)? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header names lowercased, in the order received.
    public var headers: [(name: String, value: String)]
    /// The body, when it was collected in memory (not streamed to a sink).
    public var body: [UInt8]
    /// Set on the answer a request ended with after it was tried several times: "5 tries over 3.6 s".
    public var tries: String? = nil

    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.last { $0.name == lowered }?.value
    }

    public var bodyText: String { String(decoding: body.prefix(4096), as: UTF8.self) }
}

/// How an HTTPS connection is checked, and where requests go.
public struct TransportOptions: Sendable {
    /// A PEM bundle of extra CAs to trust, like curl's --cacert.
    public var caFile: String?
    /// Skip TLS verification (like curl -k). Never the default.
    public var insecure = false
    public var userAgent = "OCIKit"
    /// Hears one line per request sent (method and redacted URL, never headers or bodies) and per transfer
    /// fallback taken; nil: no trace.
    public var trace: (@Sendable (String) -> Void)?
    public var connectTimeoutSeconds = 30
    /// No byte for this long (waiting for an answer, or in the middle of one) is a stalled transfer.
    public var stallSeconds = 30

    public init(caFile: String? = nil, insecure: Bool = false) {
        self.caFile = caFile
        self.insecure = insecure
    }
}
