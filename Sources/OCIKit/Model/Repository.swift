/// A repository on a registry as the distribution API names it in `/v2/<name>/…` (`acme/edge/models/ccfraud`).
/// A type of its own, with `ManifestReference` beside it, so that a tag or a digest cannot be passed where a
/// repository is meant, nor a repository where a tag is.
public struct Repository: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let path: String

    /// A path already known to follow the OCI grammar: built from checked parts (a validated prefix and a
    /// relative name the copy plan checked). Anything from a user, a bundle or a registry goes through
    /// `init(validating:)`.
    public init(unchecked path: String) {
        self.path = path
    }

    /// A path from a user or a registry, checked before it can reach a URL: lowercase components in the OCI
    /// grammar (no empty, `.` or `..` component, no leading `/`), so it names a repository and nothing beside it.
    public init(validating path: String) throws {
        guard ReferenceName.isRepository(path) else {
            throw OCIError(.invalidReference, "'\(MessageText.escaped(path))' is not an OCI repository name; \(Self.grammar)")
        }
        self.path = path
    }

    /// One component given alone (a pipeline name): `what` names it in the error.
    public static func checkComponent(_ text: String, as what: String) throws {
        guard ReferenceName.isComponent(Substring(text)), text.utf8.count <= ReferenceName.maximumRepositoryLength else {
            throw OCIError(.invalidReference, "invalid \(what) '\(MessageText.escaped(text))': use lowercase letters and digits, separated by '.', '_' or '-' (no '/', no '..')")
        }
    }

    /// No repository: what a source holding its images by digest alone (a layout, an archive, a bundle) is read in.
    public static let unnamed = Repository(unchecked: "")

    static let grammar = "use lowercase components such as acme/edge/pipelines/ccfraud, separated by '/', with no '.' or '..' component and no leading '/'"

    public var description: String { path }

    /// `relative` under this one as a prefix (`acme/edge` + `models/ccfraud`); under an empty prefix, `relative`.
    public func appending(_ relative: String) -> Repository {
        Repository(unchecked: path.isEmpty ? relative : "\(path)/\(relative)")
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

    /// A digest, or a tag in the OCI grammar (`[A-Za-z0-9_][A-Za-z0-9._-]{0,127}`: no '/', never `..`), from a
    /// user or a registry; `what` names it in the error.
    public init(validating text: String, as what: String = "tag") throws {
        if text.contains(":") {
            self = .digest(try Digest(parsing: text))
            return
        }
        guard ReferenceName.isTag(text) else {
            throw OCIError(.invalidReference, "'\(MessageText.escaped(text))' is not a valid \(what): a tag is letters, digits, '.', '_' and '-' (at most 128, not starting with '.' or '-')")
        }
        self = .tag(text)
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
