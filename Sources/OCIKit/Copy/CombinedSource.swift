/// Several sources read as one, so that one copy (one plan, one progress, one commit) can take content from
/// each: a build's artifacts and the images that go beside them. An item names its part (`CopyItem.reading(from:)`);
/// an item without one reads from the part named "".
public struct CombinedSource: ContentSource {
    private let parts: [String: any ContentSource]

    public init(_ parts: [String: any ContentSource]) {
        self.parts = parts
    }

    public func part(_ name: String) throws -> any ContentSource {
        guard let source = parts[name] else { throw OCIError(.notFound, "no source named '\(name)'") }
        return source
    }

    // Read directly (not through an item's key), a combined source is its part "".
    public func manifestBytes(_ descriptor: Descriptor, in repository: Repository) throws -> [UInt8] {
        try part("").manifestBytes(descriptor, in: repository)
    }

    public func blob(_ descriptor: Descriptor, in repository: Repository) throws -> Blob {
        try part("").blob(descriptor, in: repository)
    }

    public func holds(_ descriptor: Descriptor, in repository: Repository) -> Bool {
        (try? part(""))?.holds(descriptor, in: repository) ?? false
    }

    public func mountOrigin(in repository: Repository) -> BlobOrigin? {
        (try? part(""))?.mountOrigin(in: repository)
    }
}

/// Where an item's content is read: a part of the source (a `CombinedSource`'s; "" for any other) and a
/// repository in it.
public struct SourceKey: Sendable, Hashable {
    public var part: String
    public var repository: Repository

    public init(part: String = "", repository: Repository) {
        self.part = part
        self.repository = repository
    }
}

extension ContentSource {
    /// Whether the part and repository `key` names carry the blob's bytes (no such part: no).
    func holds(_ descriptor: Descriptor, at key: SourceKey) -> Bool {
        (try? part(key.part))?.holds(descriptor, in: key.repository) ?? false
    }
}

extension CopyItem {
    /// The same item, read from `part` of a `CombinedSource`.
    public func reading(from part: String) -> CopyItem {
        var item = self
        item.sourcePart = part
        return item
    }
}
