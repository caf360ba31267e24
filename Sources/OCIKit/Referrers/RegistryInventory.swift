import Foundation

/// What a registry holds in some repositories: each repository's tags (and the manifests they name) and every
/// blob those manifests (and their indexes' children) reference. Made at a site, carried to whoever builds the
/// site's next bundle, so that bundle can leave out what the site already has.
public struct RegistryInventory: Codable, Sendable, Equatable {
    public struct Repository: Codable, Sendable, Equatable {
        public var tags: [String: Digest]
        public var blobs: [Digest]
    }

    public static let format = "application/vnd.oci.registry.inventory.v1+json"
    public var format = RegistryInventory.format
    /// The registry and prefix it describes, e.g. `registry.site.local/edge`.
    public var registry: String
    /// By repository path relative to `registry`.
    public var repositories: [String: Repository]

    public init(registry: String, repositories: [String: Repository]) {
        self.registry = registry
        self.repositories = repositories
    }

    /// Every blob digest (manifests included) in any repository.
    public var digests: Set<Digest> {
        Set(repositories.values.flatMap { $0.blobs + Array($0.tags.values) })
    }

    /// Reads `repositories` (paths under `prefixPath`) of a registry; a repository that does not exist is left out.
    /// Tags that name the same manifest cost one fetch.
    public static func collect(client: RegistryClient, prefixPath: String, registry: String, repositories: [String]) throws -> RegistryInventory {
        let listed = try Parallel.map(repositories, concurrency: client.options.concurrency) { relative -> (String, Repository)? in
            let repository = OCIKit.Repository(unchecked: prefixPath).appending(relative).path
            let tags = try client.tags(of: OCIKit.Repository(unchecked: repository))
            guard !tags.isEmpty else { return nil }
            let digests = try Parallel.map(tags, concurrency: client.options.concurrency) { try client.manifestDigest(.tag($0), in: OCIKit.Repository(unchecked: repository)) }
            var byTag: [String: Digest] = [:]
            for (tag, digest) in zip(tags, digests) { if let digest { byTag[tag] = digest } }
            var blobs = Set<Digest>(), visited = Set<Digest>()
            func visit(_ reference: String, depth: Int) throws {
                guard depth < 8 else { return }
                let fetched = try client.fetchManifestBytes(ManifestReference(reference), in: OCIKit.Repository(unchecked: repository))
                guard visited.insert(fetched.blob.descriptor.digest).inserted else { return }
                switch try ManifestContent(fetched.bytes, mediaType: fetched.blob.descriptor.mediaType) {
                case .index(let index):
                    for child in index.manifests {
                        blobs.insert(child.digest)
                        try visit(child.digest.string, depth: depth + 1)
                    }
                case .manifest(let manifest):
                    for blob in [manifest.config] + manifest.layers { blobs.insert(blob.digest) }
                }
            }
            for digest in Set(byTag.values) { try visit(digest.string, depth: 0) }
            return (relative, Repository(tags: byTag, blobs: blobs.sorted()))
        }
        return RegistryInventory(registry: registry, repositories: Dictionary(listed.compactMap { $0 }) { first, _ in first })
    }
}

extension RegistryClient {
    /// The registry's repository names (`/v2/_catalog`, following pagination), or nil when it does not list
    /// them (many registries refuse the catalog, or restrict it to administrators).
    public func catalog() throws -> [String]? {
        var url = "\(baseURL)/v2/_catalog?n=1000"
        var pages = PageLinks(first: url, client: self, what: "the repository catalog")
        var all: [String] = []
        while true {
            let response = try send(HTTPRequest(method: .get, url: url), scopes: ["registry:catalog:*"])
            guard response.status == 200 else { return nil }
            struct Page: Decodable { var repositories: [String]? }
            all += try CanonicalJSON.decode(Page.self, from: response.body, what: "repository catalog").repositories ?? []
            guard let next = try pages.next(after: response, at: url) else { return all }
            url = next
        }
    }
}
