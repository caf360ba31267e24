/// Where a blob's bytes come from. Large content is never held in memory: it is streamed from disk
/// (a file as is, or a directory as a deterministic tar written on the fly) each time it is needed.
public enum BlobContent: Sendable, Hashable {
    case bytes([UInt8])
    case file(path: String)
    case directoryTar(path: String, options: TarOptions)
    /// A byte range of a file: a blob inside an uncompressed tar (an offline bundle).
    case fileRange(path: String, offset: Int64, length: Int64)
    /// A byte range of files read as one (a blob of a bundle split into parts, spanning two of them).
    case partsRange(ConcatenatedFiles, offset: Int64, length: Int64)
    /// A file still being downloaded (a registry blob on its way into the blob cache), read as it grows.
    case growing(GrowingFile, length: Int64)
    /// A registry blob read from its download as it arrives, never stored (a copy with no blob cache).
    case streamed(StreamedBlob)

    /// Streams the content into `sink`, checking that it is exactly `expectedSize` bytes.
    public func write(to sink: any ByteSink, expectedSize: Int64? = nil) throws {
        switch self {
        case .bytes(let bytes):
            try bytes.withUnsafeBytes { try sink.write($0) }
        case .file(let path):
            try FileStreamer.stream(path: path, into: sink, expectedSize: expectedSize)
        case .fileRange(let path, let offset, let length):
            let source = try FileUploadSource(path: path, offset: offset, length: length)
            try FileStreamer.stream(source: source, path: path, into: sink)
        case .partsRange(let files, let offset, let length):
            try FileStreamer.stream(source: files.source(offset: offset, length: length), path: "a split bundle", into: sink)
        case .growing(let file, let length):
            try FileStreamer.stream(source: GrowingFileUploadSource(file, offset: 0, length: length), path: "a download", into: sink)
        case .streamed(let blob):
            try FileStreamer.stream(source: blob.reader(offset: 0, length: blob.descriptor.size), path: "a download", into: sink)
        case .directoryTar(let path, let options):
            // Its size is checked by the caller (the verifying writer, or the tar entry it fills).
            try DirectoryTarWriter(options: options).write(directory: path, to: sink)
        }
    }

    /// Computes the digest and size by streaming the content once.
    public func digest(using digester: FileDigester? = nil) throws -> ContentDigest {
        if case .file(let path) = self, let digester {
            return try digester.digest(file: path)
        }
        if case .directoryTar(let path, let options) = self, let digester {
            return try digester.digest(directory: path, options: options)
        }
        let sink = HashingSink()
        try write(to: sink)
        return ContentDigest(digest: sink.finalize(), size: sink.count)
    }
}

/// A descriptor together with the means to produce its bytes.
public struct Blob: Sendable, Hashable {
    public var descriptor: Descriptor
    public var content: BlobContent

    public init(descriptor: Descriptor, content: BlobContent) {
        self.descriptor = descriptor
        self.content = content
    }

    /// A small in-memory blob (config, manifest), its descriptor computed over exactly these bytes.
    public init(mediaType: String, bytes: [UInt8], annotations: [String: String]? = nil, artifactType: String? = nil) {
        self.descriptor = Descriptor(mediaType: mediaType, digest: SHA256Hasher.digest(bytes), size: Int64(bytes.count), annotations: annotations, artifactType: artifactType)
        self.content = .bytes(bytes)
    }

    /// Streams the blob into `sink`, verifying its size and digest against the descriptor as it goes.
    /// With a digester whose cache vouches for an unchanged file or directory, the check is by file status
    /// (every entry's, for a directory) instead of a second hash (the cache's key changes with any write; see `DigestCache`).
    public func write(verifiedTo sink: any ByteSink, digester: FileDigester? = nil) throws {
        if case .directoryTar = content, let kept = digester?.spill?.file(for: descriptor.digest) {
            // The tar as it was hashed, kept in a private file: one file to read instead of the whole directory.
            try FileStreamer.stream(path: kept, into: sink, expectedSize: descriptor.size)
            return
        }
        if case .file(let path) = content, let status = digester?.trustedStatus(of: path, digest: descriptor.digest), status.size == descriptor.size {
            try FileStreamer.stream(path: path, into: sink, expectedSize: descriptor.size)
            guard (try? FileStatus(path: path)) == status else {
                throw OCIError(.digestMismatch, "\(path) changed while edgepack was copying it; run again")
            }
            return
        }
        if case .directoryTar(let path, let options) = content,
           let listing = digester?.trustedListing(of: path, options: options, digest: descriptor.digest, size: descriptor.size) {
            let counter = CountingSink(forwardingTo: sink)
            try DirectoryTarWriter(options: options).write(listing, of: path, to: counter)
            guard counter.count == descriptor.size, (try? DirectoryListing(directory: path)) == listing else {
                throw OCIError(.digestMismatch, "\(path) changed while edgepack was copying it; run again")
            }
            return
        }
        let verifier = HashingSink(forwardingTo: sink)
        try content.write(to: verifier, expectedSize: descriptor.size)
        let actual = verifier.finalize()
        guard actual == descriptor.digest, verifier.count == descriptor.size else {
            throw OCIError(.digestMismatch, "content of \(descriptor.digest) changed since it was hashed (now \(actual), \(verifier.count) bytes); run again")
        }
    }
}
