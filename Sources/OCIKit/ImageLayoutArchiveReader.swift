import CArchive

/// Reads an OCI image layout tar (`edgepack export` output, or any `oci-archive`) in one streaming pass.
public struct ImageLayoutArchiveContents: Sendable {
    public var index: Index
    /// Blobs small enough to be manifests or configs, by digest.
    public var smallBlobs: [Digest: [UInt8]]
    public var blobSizes: [Digest: Int64]

    public func manifest(_ digest: Digest) throws -> Manifest {
        guard let bytes = smallBlobs[digest] else {
            throw OCIError(.invalidLayout, "the archive has no manifest blob \(digest)")
        }
        return try CanonicalJSON.decode(Manifest.self, from: bytes, what: "manifest \(digest)")
    }
}

public enum ImageLayoutArchiveReader {
    static let smallBlobLimit: Int64 = 4 << 20

    /// With `verify`, every blob is hashed as it is read and a mismatch with its name is an error.
    public static func read(path: String, verify: Bool = false) throws -> ImageLayoutArchiveContents {
        guard let archive = archive_read_new() else { throw OCIError(.archive, "libarchive could not allocate a reader") }
        defer { archive_read_free(archive) }
        archive_read_support_format_tar(archive)
        guard archive_read_open_filename(archive, path, FileStreamer.chunkSize) == ARCHIVE_OK else {
            throw OCIError(.io, "cannot open \(path): \(errorText(archive))")
        }
        var indexBytes: [UInt8]?
        var sawLayoutHeader = false
        var smallBlobs: [Digest: [UInt8]] = [:]
        var sizes: [Digest: Int64] = [:]
        var entry: OpaquePointer?
        while true {
            let status = archive_read_next_header(archive, &entry)
            if status == ARCHIVE_EOF { break }
            guard status >= ARCHIVE_WARN, let entry else {
                throw OCIError(.archive, "\(path) is not a readable tar: \(errorText(archive))")
            }
            let name = String(cString: archive_entry_pathname(entry)).trimmingPrefix("./")
            let size = archive_entry_size(entry)
            if name == "oci-layout" {
                sawLayoutHeader = true
            } else if name == "index.json" {
                indexBytes = try readData(archive, path: path, keep: true).bytes
            } else if name.hasPrefix("blobs/"), archive_entry_filetype(entry) == EDGEPACK_AE_IFREG {
                let parts = name.split(separator: "/")
                guard parts.count == 3, let digest = try? Digest(algorithm: String(parts[1]), encoded: String(parts[2])) else {
                    throw OCIError(.invalidLayout, "\(path): unexpected entry \(name)")
                }
                let keep = size <= smallBlobLimit
                if keep || verify {
                    let (bytes, actual) = try readData(archive, path: path, keep: keep)
                    if verify, actual != digest {
                        throw OCIError(.digestMismatch, "\(path): blob \(digest) is corrupt (its content hashes to \(actual))")
                    }
                    if keep { smallBlobs[digest] = bytes }
                }
                sizes[digest] = size
            }
        }
        guard sawLayoutHeader, let indexBytes else {
            throw OCIError(.invalidLayout, "\(path) is not an OCI image layout archive (no oci-layout or index.json)")
        }
        let index = try CanonicalJSON.decode(Index.self, from: indexBytes, what: "\(path): index.json")
        return ImageLayoutArchiveContents(index: index, smallBlobs: smallBlobs, blobSizes: sizes)
    }

    private static func readData(_ archive: OpaquePointer, path: String, keep: Bool) throws -> (bytes: [UInt8], digest: Digest) {
        let hasher = SHA256Hasher()
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: FileStreamer.chunkSize)
        while true {
            let count = buffer.withUnsafeMutableBytes { archive_read_data(archive, $0.baseAddress, $0.count) }
            if count == 0 { break }
            guard count > 0 else { throw OCIError(.archive, "cannot read \(path): \(errorText(archive))") }
            buffer.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            if keep { bytes.append(contentsOf: buffer[0..<count]) }
        }
        return (bytes, hasher.finalize())
    }

    private static func errorText(_ archive: OpaquePointer) -> String {
        archive_error_string(archive).map { String(cString: $0) } ?? "unknown error"
    }
}

private extension String {
    func trimmingPrefix(_ prefix: String) -> String {
        hasPrefix(prefix) ? String(dropFirst(prefix.count)) : self
    }
}
