/// Several sources read as one, so that one copy (one plan, one progress, one commit) can take content from
/// each: a build's artifacts and the images that go beside them. Items name their part in their source
/// repository (`CombinedSource.repository(_:in:)`); a repository without a part name goes to the part named "".
public struct CombinedSource: ContentSource {
    private let parts: [String: any ContentSource]

    /// Part names may not contain `|`.
    public init(_ parts: [String: any ContentSource]) {
        self.parts = parts
    }

    /// The source repository an item of `part` gives, for `repository` inside that part.
    public static func repository(_ repository: String, in part: String) -> String {
        part.isEmpty ? repository : "\(part)|\(repository)"
    }

    public func manifestBytes(_ descriptor: Descriptor, in repository: String) throws -> [UInt8] {
        let (source, inner) = try route(repository)
        return try source.manifestBytes(descriptor, in: inner)
    }

    public func blob(_ descriptor: Descriptor, in repository: String) throws -> Blob {
        let (source, inner) = try route(repository)
        return try source.blob(descriptor, in: inner)
    }

    public func holds(_ descriptor: Descriptor, in repository: String) -> Bool {
        guard let (source, inner) = try? route(repository) else { return false }
        return source.holds(descriptor, in: inner)
    }

    public func mountOrigin(in repository: String) -> BlobOrigin? {
        guard let (source, inner) = try? route(repository) else { return nil }
        return source.mountOrigin(in: inner)
    }

    private func route(_ repository: String) throws -> (any ContentSource, String) {
        let split = repository.split(separator: "|", maxSplits: 1, omittingEmptySubsequences: false)
        let (part, inner) = split.count == 2 ? (String(split[0]), String(split[1])) : ("", repository)
        guard let source = parts[part] else { throw OCIError(.notFound, "no source named '\(part)' for \(inner)") }
        return (source, inner)
    }
}

extension CopyItem {
    /// The same item, read from `part` of a `CombinedSource`.
    public func reading(from part: String) -> CopyItem {
        CopyItem(descriptor: descriptor, sourceRepository: CombinedSource.repository(sourceRepository, in: part), repository: repository, tag: tag)
    }
}
