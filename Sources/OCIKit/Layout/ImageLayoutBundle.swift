/// An offline bundle (an OCI image layout tar) opened for reading in place: its index, its manifests, and
/// every blob as a byte range of the bundle, so pushing it reads each model once and copies nothing.
/// A bundle split into parts (`SplitBundle`) is opened by its parts list, its first part or its own name, its
/// parts checked first, and read across them as one.
public struct ImageLayoutBundle: Sendable {
    /// The bundle (a split one's own name, `bundle.tar`), for messages.
    public let path: String
    public let index: Index
    private let entries: [String: TarIndex.Entry]
    private let files: ConcatenatedFiles

    public init(path: String) throws {
        if let list = try SplitBundle.listPath(for: path) {
            (self.path, files) = try SplitBundle.open(listPath: list)
        } else {
            self.path = path
            files = try ConcatenatedFiles(file: path)
        }
        let tar = try TarIndex(files: files, name: self.path)
        guard tar.entries["oci-layout"] != nil, let indexEntry = tar.entries["index.json"] else {
            throw OCIError(.invalidLayout, "\(self.path) is not an OCI image layout bundle (no oci-layout or index.json)")
        }
        try BundleValidation.checkMembers(tar, bundle: self.path)
        entries = tar.entries
        index = try CanonicalJSON.decode(Index.self, from: try Self.bytes(files, indexEntry), what: "\(self.path): index.json")
        try BundleValidation.checkIndex(index, bundle: self.path)
    }

    /// Whether the bundle carries the blob (a delta bundle leaves out what its site already has).
    public func contains(_ digest: Digest) -> Bool {
        entries[ImageLayoutIndex.blobPath(digest)] != nil
    }

    public func blob(_ descriptor: Descriptor) throws -> Blob {
        let entry = try entry(descriptor)
        return Blob(descriptor: descriptor, content: files.content(offset: entry.offset, length: entry.size))
    }

    /// A small blob's bytes (a manifest or config), checked against its digest.
    public func bytes(_ descriptor: Descriptor) throws -> [UInt8] {
        guard descriptor.size <= 16 << 20 else { throw OCIError(.unsupported, "\(descriptor.digest) is too large to read into memory") }
        let bytes = try Self.bytes(files, try entry(descriptor))
        guard SHA256Hasher.digest(bytes) == descriptor.digest else {
            throw OCIError(.digestMismatch, "\(path): blob \(descriptor.digest) is corrupt")
        }
        return bytes
    }

    private func entry(_ descriptor: Descriptor) throws -> TarIndex.Entry {
        guard let entry = entries[ImageLayoutIndex.blobPath(descriptor.digest)] else {
            throw OCIError(.invalidLayout, "\(path) lacks blob \(descriptor.digest)")
        }
        guard entry.size == descriptor.size else {
            throw OCIError(.sizeMismatch, "\(path): blob \(descriptor.digest) has \(entry.size) bytes, its descriptor says \(descriptor.size)")
        }
        return entry
    }

    private static func bytes(_ files: ConcatenatedFiles, _ entry: TarIndex.Entry) throws -> [UInt8] {
        let sink = MemorySink()
        try files.content(offset: entry.offset, length: entry.size).write(to: sink)
        return sink.bytes
    }
}
