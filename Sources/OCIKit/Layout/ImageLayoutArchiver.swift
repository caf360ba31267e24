/// Writes artifacts as one OCI image layout in a tar (what `skopeo` calls `oci-archive:`), streamed blob by
/// blob: nothing is staged, a model file is read once, and every blob is verified against its digest on the way.
public enum ImageLayoutArchiver {
    /// Writes the archive to a temporary file beside `path` and renames it into place when complete.
    public static func export(_ artifacts: [Artifact], to path: String, mtime: Int64, digester: FileDigester? = nil) throws {
        try AtomicFile.write(to: path) { sink in
            try write(artifacts, to: BufferedSink(sink), mtime: mtime, digester: digester)
        }
    }

    private static func write(_ artifacts: [Artifact], to sink: BufferedSink, mtime: Int64, digester: FileDigester? = nil) throws {
        let tar = try TarArchiveWriter(to: sink, mtime: mtime)
        try tar.addFile("oci-layout", bytes: ImageLayoutIndex.headerBytes)
        try tar.addFile("index.json", bytes: try CanonicalJSON.encode(ImageLayoutIndex.make(artifacts)))
        try tar.addDirectory("blobs")
        try tar.addDirectory("blobs/sha256")
        for blob in ImageLayoutIndex.uniqueBlobs(artifacts) {
            try tar.addFile(ImageLayoutIndex.blobPath(blob.descriptor.digest), size: blob.descriptor.size) { entry in
                try blob.write(verifiedTo: entry, digester: digester)
            }
        }
        try tar.finish()
        try sink.flush()
    }
}

/// Coalesces small writes (tar headers) into large ones; large writes pass straight through.
public final class BufferedSink: ByteSink {
    private let downstream: any ByteSink
    private var buffer: [UInt8] = []
    private let capacity: Int

    public init(_ downstream: any ByteSink, capacity: Int = 1 << 16) {
        self.downstream = downstream
        self.capacity = capacity
        buffer.reserveCapacity(capacity)
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        if bytes.count >= capacity {
            try flush()
            try downstream.write(bytes)
        } else {
            if buffer.count + bytes.count > capacity { try flush() }
            buffer.append(contentsOf: bytes)
        }
    }

    public func flush() throws {
        guard !buffer.isEmpty else { return }
        try buffer.withUnsafeBytes { try downstream.write($0) }
        buffer.removeAll(keepingCapacity: true)
    }
}
