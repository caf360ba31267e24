/// A repository on a registry as the distribution API names it in `/v2/<name>/…` (`acme/edge/models/ccfraud`).
/// A type of its own, with `ManifestReference` beside it, so that a tag or a digest cannot be passed where a
/// repository is meant, nor a repository where a tag is.
public struct Repository: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let path: String

    public init(_ path: String) {
        self.path = path
    }

    public var description: String { path }

    /// `relative` under this one as a prefix (`acme/edge` + `models/ccfraud`); under an empty prefix, `relative`.
    public func appending(_ relative: String) -> Repository {
        Repository(path.isEmpty ? relative : "\(path)/\(relative)")
    }

    public static func < (lhs: Repository, rhs: Repository) -> Bool { lhs.path < rhs.path }
}

/// What a manifest is asked for by in a repository: a tag, or a digest.
public enum ManifestReference: Sendable, Hashable, CustomStringConvertible {
    case tag(String)
    case digest(Digest)

    /// A digest when `text` is one (`sha256:…`), else a tag.
    public init(_ text: String) {
        self = (try? Digest(parsing: text)).map(ManifestReference.digest) ?? .tag(text)
    }

    /// As it goes in a URL: the tag, or the digest's `sha256:…`.
    public var description: String {
        switch self {
        case .tag(let tag): tag
        case .digest(let digest): digest.string
        }
    }

    public var digest: Digest? {
        if case .digest(let digest) = self { return digest }
        return nil
    }
}

extension ImageReference {
    /// `repository:tag` or `repository@sha256:…`, as people write them.
    public static func join(_ repository: Repository, _ reference: ManifestReference) -> String {
        join(repository.path, reference.description)
    }
}
