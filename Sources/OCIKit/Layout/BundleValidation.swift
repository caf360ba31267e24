/// What an offline bundle may hold, checked before anything in it is used, so a hostile bundle can neither
/// name a path outside its layout nor an artifact outside the prefix it is pushed under:
/// - tar entries are exactly `oci-layout`, `index.json` and `blobs/ALG/HEX` (regular files) and the
///   directories `blobs` and `blobs/ALG` (a leading `./` is allowed); no links, devices or repeated names;
/// - every `index.json` entry names its artifact as `REPOSITORY:TAG` in OCI grammar, each name once;
/// - annotations that tools turn into file names are plain relative paths.
public enum BundleValidation {
    /// Annotation keys whose values tools use as file names: OCI's title, ModelPack's file path, and the
    /// `filename` key Wallaroo-style edge engines read.
    public static let pathAnnotationKeys = [AnnotationKey.title, "org.cncf.model.filepath", "filename"]

    public static func checkMembers(_ tar: TarIndex, bundle path: String) throws {
        var seen = Set<String>()
        for member in tar.members {
            var name = member.name
            if member.isDirectory, name.hasSuffix("/") { name.removeLast() }
            guard seen.insert(name).inserted else {
                throw OCIError(.invalidLayout, "\(path) holds '\(MessageText.escaped(name))' twice; a bundle names each entry once")
            }
            guard isAllowed(name, member) else {
                throw OCIError(.unsafePath, "\(path) holds '\(MessageText.escaped(member.name))', which is not part of an OCI image layout (only oci-layout, index.json and blobs/ALGORITHM/HEX); refusing the bundle")
            }
        }
    }

    static func isAllowed(_ name: String, _ member: TarIndex.Member) -> Bool {
        if member.isDirectory {
            if name.isEmpty || name == "." || name == "blobs" { return true }
            let parts = name.split(separator: "/", omittingEmptySubsequences: false)
            return parts.count == 2 && parts[0] == "blobs" && isAlgorithm(parts[1])
        }
        guard member.isRegularFile else { return false }
        if name == "oci-layout" || name == "index.json" { return true }
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "blobs" else { return false }
        return (try? Digest(algorithm: String(parts[1]), encoded: String(parts[2]))) != nil
    }

    private static func isAlgorithm(_ text: Substring) -> Bool {
        text == "sha256" || text == "sha512"
    }

    /// Every index entry names one artifact (`REPOSITORY:TAG`), and no name is used twice.
    public static func checkIndex(_ index: Index, bundle path: String) throws {
        var seen = Set<String>()
        for entry in index.manifests {
            guard let reference = entry.annotations?[AnnotationKey.refName] else {
                throw OCIError(.invalidLayout, "\(path): an index entry has no \(AnnotationKey.refName)")
            }
            do {
                _ = try ReferenceName(parsing: reference)
            } catch let error as OCIError {
                throw OCIError(.unsafePath, "\(path): index.json has an \(error.message); refusing the bundle")
            }
            guard seen.insert(reference).inserted else {
                throw OCIError(.invalidLayout, "\(path): index.json names '\(MessageText.escaped(reference))' twice")
            }
            try checkAnnotations(entry, where: "\(path): index.json")
        }
    }

    /// The manifest's config and layers carry no path-like annotation that could leave a folder.
    public static func checkManifest(_ manifest: Manifest, where place: String) throws {
        for descriptor in [manifest.config] + manifest.layers {
            try checkAnnotations(descriptor, where: place)
        }
    }

    static func checkAnnotations(_ descriptor: Descriptor, where place: String) throws {
        for key in pathAnnotationKeys {
            guard let value = descriptor.annotations?[key] else { continue }
            guard PlainRelativePath.isValid(value) else {
                throw OCIError(.unsafePath, "\(place): \(descriptor.digest) has \(key) '\(MessageText.escaped(value))', which is not a plain relative path; refusing it")
            }
        }
    }
}

/// A path that stays inside whatever folder it is joined to: relative, no empty, `.` or `..` components,
/// no backslashes or control characters, each component at most 255 bytes.
public enum PlainRelativePath {
    public static func isValid(_ text: String) -> Bool {
        guard !text.isEmpty, !text.hasPrefix("/"), text.utf8.count <= 4096 else { return false }
        guard !text.unicodeScalars.contains(where: { MessageText.isControl($0) || $0 == "\\" }) else { return false }
        return text.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { part in
            !part.isEmpty && part != "." && part != ".." && part.utf8.count <= 255
        }
    }

    /// A single file name (one component of a plain relative path).
    public static func isFileName(_ text: String) -> Bool {
        isValid(text) && !text.contains("/")
    }
}
