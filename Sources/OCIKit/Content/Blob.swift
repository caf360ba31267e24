/// Where a blob's bytes come from. Large content is never held in memory: it is streamed from disk
/// (a file as is, or a directory as a deterministic tar written on the fly) each time it is needed.
/// Consumers do not look inside: they read it whole (`write(to:)`) or by range (`reader(offset:length:)`).
public enum BlobContent: Sendable, Hashable {
    case bytes([UInt8])
    case file(path: String)
    case directoryTar(path: String, options: TarOptions)
    /// A byte range of a file: a blob inside an uncompressed tar (an offline bundle).
    case fileRange(path: String, offset: Int64, length: Int64)
    /// A byte range of files read as one (a blob of a bundle split into parts, spanning two of them).
    case partsRange(ConcatenatedFiles, offset: Int64, length: Int64)
    /// A registry blob on its way into a file (the blob cache, a pull's staging), read as it grows.
    case growing(GrowingFile, length: Int64)
    /// A registry blob read from its download as it arrives, never stored (a copy with no blob cache).
    case streamed(StreamedBlob)

    /// The `length` bytes from `offset`, as a request body or any stream. A download's reader hands over the
    /// blob's last byte only once the download has checked the whole blob's digest (`BlobTrust.checkingDownload`).
    /// A directory's tar cannot be read by range: it is written whole (an upload stages it first, `StagedBlob`).
    public func reader(offset: Int64, length: Int64) throws -> any UploadSource {
        switch self {
        case .bytes(let bytes):
            guard offset + length <= bytes.count else {
                throw OCIError(.sizeMismatch, "content of \(bytes.count) bytes has no range \(offset)+\(length); refusing it")
            }
            return MemoryUploadSource(Array(bytes[Int(offset)..<Int(offset + length)]))
        case .file(let path): return try FileUploadSource(path: path, offset: offset, length: length)
        case .fileRange(let path, let start, _): return try FileUploadSource(path: path, offset: start + offset, length: length)
        case .partsRange(let files, let start, _): return files.source(offset: start + offset, length: length)
        case .growing(let file, let size): return GrowingFileUploadSource(file, offset: offset, length: length, blobSize: size)
        case .streamed(let blob): return blob.reader(offset: offset, length: length)
        case .directoryTar(let path, _): throw OCIError(.unsupported, "the tar of \(path) is written whole, not read by range")
        }
    }

    /// Streams the content into `sink`, checking that it is exactly `expectedSize` bytes.
    public func write(to sink: any ByteSink, expectedSize: Int64? = nil) throws {
        switch self {
        case .bytes(let bytes):
            try bytes.withUnsafeBytes { try sink.write($0) }
        case .file(let path):
            try FileStreamer.stream(path: path, into: sink, expectedSize: expectedSize)
        case .directoryTar(let path, let options):
            // Its size is checked by the caller (the verifying writer, or the tar entry it fills).
            try DirectoryTarWriter(options: options).write(directory: path, to: sink)
        case .fileRange(_, _, let length), .partsRange(_, _, let length), .growing(_, let length):
            try FileStreamer.stream(source: reader(offset: 0, length: length), into: sink)
        case .streamed(let blob):
            try FileStreamer.stream(source: reader(offset: 0, length: blob.descriptor.size), into: sink)
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

    /// Streams the blob into `sink`, verified against its descriptor as `BlobTrust` says: hashed on the way,
    /// or, where this run already checked the very bytes, by what vouches for them (a digester's cache vouches
    /// for an unchanged file or directory by its status).
    public func write(verifiedTo sink: any ByteSink, digester: FileDigester? = nil) throws {
        let trust = BlobTrust(self, digester: digester)
        switch trust {
        case .hashed:
            let verifier = HashingSink(forwardingTo: sink)
            try content.write(to: verifier, expectedSize: descriptor.size)
            try BlobTrust.check(descriptor, digest: verifier.finalize(), size: verifier.count)
        case .checkedCopy(let path), .unchangedFile(let path, _):
            try FileStreamer.stream(path: path, into: sink, expectedSize: descriptor.size)
        case .unchangedDirectory(let path, let options, let listing):
            let counter = CountingSink(forwardingTo: sink)
            try DirectoryTarWriter(options: options).write(listing, of: path, to: counter)
            guard counter.count == descriptor.size else { throw BlobTrust.changed(path) }
        case .checkingDownload:
            try FileStreamer.stream(source: content.reader(offset: 0, length: descriptor.size), into: sink)
        }
        try trust.checkAfterwards()
    }
}
