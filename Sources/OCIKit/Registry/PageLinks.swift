/// Follows a paginated listing's `Link: <…>; rel="next"` headers (tags, catalog) as far as a registry may lead
/// it: only on the registry's own origin (the request carries credentials), never back to a page already read,
/// and for at most `maximumPages` pages; anything else is a registry that lies, and an error.
struct PageLinks {
    static let maximumPages = 1000  // of up to 1000 entries each

    private let client: RegistryClient
    private let what: String
    private var read: Set<String>

    /// Starting at `first`; `what` names the listing in messages ("the tag list of a/b").
    init(first: String, client: RegistryClient, what: String) {
        self.client = client
        self.what = what
        self.read = [first]
    }

    /// The next page's URL after `response` (the page at `url`), or nil at the last page.
    mutating func next(after response: HTTPResponse, at url: String) throws -> String? {
        guard let link = response.header("link"), let start = link.firstIndex(of: "<"),
              let end = link[start...].firstIndex(of: ">") else { return nil }
        let next = client.resolve(String(link[link.index(after: start)..<end]), against: url)
        try client.requireOwnOrigin(next, "a next-page link for \(what)")
        guard read.insert(next).inserted else {
            throw OCIError(.registry, "\(client.host) sent a next-page link for \(what) that leads back to a page already read; stopping (the listing would never end)")
        }
        guard read.count <= Self.maximumPages else {
            throw OCIError(.registry, "\(client.host) sent more than \(Self.maximumPages) pages of \(what); stopping")
        }
        return next
    }
}
