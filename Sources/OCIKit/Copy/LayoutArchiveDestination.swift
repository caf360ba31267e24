import Synchronization

/// One OCI image layout in a tar (what `skopeo` calls `oci-archive:`), written on commit: `oci-layout`,
/// `index.json`, then every blob sorted by digest, streamed straight from its source (nothing is staged; a
/// model file is read once) and verified against its digest on the way. The tar is written to a temporary
/// file beside `path` and renamed into place when complete, so the same inputs give the same bytes. With a part
/// size, the same bytes are written as parts of at most that size (`SplitFileWriter`), never as one file.
public final class LayoutArchiveDestination: ContentDestination {
    public let path: String
    private let mtime: Int64
    private let digester: FileDigester?
    private let blobs = Mutex<[Digest: (blob: Blob, progress: @Sendable (Int64) -> Void)]>([:])
    private let entries = Mutex<[Descriptor]>([])
    /// Blobs left out (a delta bundle's: what the site it is for already holds); manifests are never left out.
    public let omitting: Set<Digest>
    /// The most bytes each part may hold, for a bundle split into parts; nil for one file.
    public let partSize: Int64?

    public init(path: String, mtime: Int64, digester: FileDigester? = nil, omitting: Set<Digest> = [], partSize: Int64? = nil) {
        self.path = path
        self.mtime = mtime
        self.digester = digester
        self.omitting = omitting
        self.partSize = partSize
    }

    public func hasBlob(_ descriptor: Descriptor, in repository: Repository) throws -> Bool {
        omitting.contains(descriptor.digest) || blobs.withLock { $0[descriptor.digest] != nil }
    }

    /// Recorded now, streamed into the tar (and its progress reported) on commit.
    public func putBlob(_ blob: Blob, in repository: Repository, progress: @escaping @Sendable (Int64) -> Void) throws {
        blobs.withLock { $0[blob.descriptor.digest] = (blob, progress) }
    }

    public func manifestDigest(_ reference: String, in repository: Repository) throws -> Digest? {
        nil  // a new archive holds nothing yet
    }

    public func putManifest(_ blob: Blob, in repository: Repository, tag: String?) throws {
        blobs.withLock { $0[blob.descriptor.digest] = (blob, { _ in }) }
        if let tag {
            let entry = ImageLayoutIndex.entry(blob.descriptor, repository: repository.path, tag: tag)
            entries.withLock { $0.append(entry) }
        }
    }

    public func commit() throws {
        let blobs = self.blobs.withLock { $0 }.values.sorted { $0.blob.descriptor.digest < $1.blob.descriptor.digest }
        let index = ImageLayoutIndex.make(entries.withLock { $0 })
        if let partSize {
            try SplitFileWriter.write(to: path, partSize: partSize) { parts in try write(blobs, index: index, to: parts) }
        } else {
            try AtomicFile.write(to: path) { file in try write(blobs, index: index, to: file) }
        }
    }

    private func write(_ blobs: [(blob: Blob, progress: @Sendable (Int64) -> Void)], index: Index, to file: any ByteSink) throws {
        let sink = BufferedSink(file)
        let tar = try TarArchiveWriter(to: sink, mtime: mtime)
        try tar.addFile("oci-layout", bytes: ImageLayoutIndex.headerBytes)
        try tar.addFile("index.json", bytes: try CanonicalJSON.encode(index))
        try tar.addDirectory("blobs")
        try tar.addDirectory("blobs/sha256")
        for (blob, progress) in blobs {
            try tar.addFile(ImageLayoutIndex.blobPath(blob.descriptor.digest), size: blob.descriptor.size) { entry in
                try blob.write(verifiedTo: ProgressSink(forwardingTo: entry, progress: progress), digester: digester)
            }
        }
        try tar.finish()
        try sink.flush()
    }
}
