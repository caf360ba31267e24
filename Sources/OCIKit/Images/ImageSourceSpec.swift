import Foundation

/// Where an image comes from, in skopeo's transport syntax: a registry reference (`host/repo:tag`,
/// `host/repo@sha256:…`, `host/repo:tag@sha256:…`), or a local file for builders that cannot reach the
/// registry: `oci-archive:PATH[:REF]`, `oci:DIR[:REF]`, `docker-archive:PATH[:REF]` (`docker save` output;
/// REF one of its `RepoTags`, needed only when it holds several images).
/// File paths are relative to a base directory (the definition's) and must stay inside it.
public enum ImageSourceSpec: Sendable, Hashable, CustomStringConvertible {
    case registry(ImageReference)
    /// An OCI image layout in a tar; `reference` selects an index entry by its ref name.
    case ociArchive(LocalPath, reference: String?)
    /// An OCI image layout directory; `reference` as for an archive.
    case ociLayout(LocalPath, reference: String?)
    /// `docker save` output: `manifest.json`, a config and layer tars.
    case dockerArchive(LocalPath, reference: String?)

    /// A file named relative to a base directory, checked not to leave it.
    public struct LocalPath: Sendable, Hashable, CustomStringConvertible {
        /// As written (relative).
        public let relative: String
        public let baseDirectory: String

        public init(_ relative: String, in baseDirectory: String) throws {
            guard !relative.isEmpty else { throw OCIError(.unsafePath, "an image source needs a file path after its transport") }
            guard !relative.hasPrefix("/") else {
                throw OCIError(.unsafePath, "image source path '\(relative)' is absolute; name it relative to \(baseDirectory)")
            }
            var depth = 0
            for component in relative.split(separator: "/") where component != "." {
                depth += component == ".." ? -1 : 1
                guard depth >= 0 else {
                    throw OCIError(.unsafePath, "image source path '\(relative)' leads outside \(baseDirectory); keep the image file inside that folder")
                }
            }
            self.relative = relative
            self.baseDirectory = baseDirectory
        }

        /// The path to open, after checking that symbolic links do not lead outside the base directory either.
        public func resolved() throws -> String {
            let path = baseDirectory + "/" + relative
            guard let real = realpath(path, nil) else {
                throw OCIError(.notFound, "image source \(relative) does not exist in \(baseDirectory)")
            }
            defer { free(real) }
            let target = String(cString: real)
            if let base = realpath(baseDirectory, nil) {
                defer { free(base) }
                let root = String(cString: base)
                guard target == root || target.hasPrefix(root == "/" ? "/" : root + "/") else {
                    throw OCIError(.unsafePath, "image source \(relative) is a link to \(target), outside \(baseDirectory); copy the file into that folder")
                }
            }
            return target
        }

        public var description: String { relative }
    }

    public init(parsing text: String, relativeTo baseDirectory: String) throws {
        let text = text.trimmingCharacters(in: .whitespaces)
        func local(_ transport: String) -> (path: String, reference: String?)? {
            guard text.hasPrefix(transport + ":") else { return nil }
            let rest = text.dropFirst(transport.count + 1)
            guard let colon = rest.firstIndex(of: ":") else { return (String(rest), nil) }
            return (String(rest[..<colon]), String(rest[rest.index(after: colon)...]))
        }
        if let (path, reference) = local("oci-archive") {
            self = .ociArchive(try LocalPath(path, in: baseDirectory), reference: try Self.checkedReference(reference, text))
        } else if let (path, reference) = local("oci") {
            self = .ociLayout(try LocalPath(path, in: baseDirectory), reference: try Self.checkedReference(reference, text))
        } else if let (path, reference) = local("docker-archive") {
            self = .dockerArchive(try LocalPath(path, in: baseDirectory), reference: try Self.checkedReference(reference, text))
        } else {
            var registryText = text
            if registryText.hasPrefix("docker://") { registryText.removeFirst("docker://".count) }
            for transport in ["dir", "containers-storage", "docker-daemon"] where registryText.hasPrefix(transport + ":") && !registryText.hasPrefix(transport + "://") {
                throw OCIError(.unsupported, "image source '\(text)': the \(transport) transport is not supported; use a registry reference, oci-archive:, oci: or docker-archive:")
            }
            let reference = try ImageReference(parsing: registryText)
            guard reference.tag != nil || reference.digest != nil else {
                throw OCIError(.invalidReference, "image '\(text)' names no tag or digest; pin it, e.g. \(registryText):TAG or \(registryText)@sha256:…")
            }
            self = .registry(reference)
        }
    }

    private static func checkedReference(_ reference: String?, _ text: String) throws -> String? {
        guard let reference else { return nil }
        guard !reference.isEmpty, !reference.contains(where: { $0.isWhitespace }) else {
            throw OCIError(.invalidReference, "invalid image source '\(text)': the reference after the path is empty or has spaces")
        }
        return reference
    }

    /// The tag a mirror gets: the source's tag, else `sha256-HEX` for a source pinned only by digest, else
    /// the tag part of a layout reference (`engine:v1` → `v1`), else `latest`.
    public var mirrorTag: String? {
        switch self {
        case .registry(let reference):
            if let tag = reference.tag { return tag }
            return reference.digest.map { "\($0.algorithm)-\($0.encoded)" }
        case .ociArchive(_, let reference), .ociLayout(_, let reference), .dockerArchive(_, let reference):
            guard let reference else { return nil }
            let tag = reference.split(separator: ":").last.map(String.init) ?? reference
            return Self.isValidTag(tag) ? tag : nil
        }
    }

    /// `[A-Za-z0-9_][A-Za-z0-9._-]{0,127}` (distribution's tag grammar).
    public static func isValidTag(_ tag: String) -> Bool {
        guard let first = tag.unicodeScalars.first, tag.unicodeScalars.count <= 128 else { return false }
        let allowed: (Unicode.Scalar) -> Bool = { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
        return allowed(first) && tag.unicodeScalars.dropFirst().allSatisfy { allowed($0) || $0 == "." || $0 == "-" }
    }

    public var description: String {
        switch self {
        case .registry(let reference): reference.description
        case .ociArchive(let path, let reference): "oci-archive:\(path)" + (reference.map { ":\($0)" } ?? "")
        case .ociLayout(let path, let reference): "oci:\(path)" + (reference.map { ":\($0)" } ?? "")
        case .dockerArchive(let path, let reference): "docker-archive:\(path)" + (reference.map { ":\($0)" } ?? "")
        }
    }
}
