/// An open blob upload session: the URL the registry gave it and the bytes the registry has confirmed. One
/// exists only once a registry has answered with its `Location`: made from the answer that opened it (or that
/// opened it in an earlier run, written down then), and moved by each later answer within it, since
/// registries may change the URL with every answer.
struct UploadSession: Sendable, Equatable {
    let location: String
    let offset: Int64

    private init(location: String, offset: Int64) {
        self.location = location
        self.offset = offset
    }

    /// The session a `POST …/blobs/uploads/` answer opened: 202 with a `Location`; nil for any other answer.
    /// A `Location` on another origin is refused: the blob and the credentials go only to the registry.
    init?(opened response: HTTPResponse, by client: RegistryClient) throws {
        guard response.status == 202, let location = response.header("location") else { return nil }
        self.init(location: try Self.checked(location, against: "\(client.baseURL)/v2/", client: client), offset: 0)
    }

    /// A session an earlier run wrote down (from the answer that opened it then), as the registry's status
    /// answer `response` says it stands now.
    init(resuming saved: UploadSessionStore.Session, answer response: HTTPResponse, offset: Int64, client: RegistryClient) throws {
        self = try UploadSession(location: saved.location, offset: 0).after(response, offset: offset, client: client)
    }

    /// The same session after an answer within it (a chunk taken, a status query): at the `Location` the
    /// answer gives, if any, holding `offset` bytes.
    func after(_ response: HTTPResponse, offset: Int64, client: RegistryClient) throws -> UploadSession {
        UploadSession(location: try response.header("location").map { try Self.checked($0, against: location, client: client) } ?? location, offset: offset)
    }

    private static func checked(_ location: String, against base: String, client: RegistryClient) throws -> String {
        let resolved = client.resolve(location, against: base)
        try client.requireOwnOrigin(resolved, "an upload location")
        return resolved
    }
}
