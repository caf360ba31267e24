import Foundation

extension BlobCache {
    /// Keeps a manifest's exact bytes beside the blobs, under its digest (manifests are content-addressed too),
    /// so an image can be read again with no registry. Bytes that do not hash to `digest` are not kept.
    public func storeManifest(_ bytes: [UInt8], as digest: Digest) throws {
        guard SHA256Hasher.digest(bytes) == digest else { return }
        if let status = try? FileStatus(path: path(digest)), status.size == Int64(bytes.count) {
            use(digest)
            return
        }
        _ = try store(Descriptor(mediaType: "", digest: digest, size: Int64(bytes.count))) { sink in
            try bytes.withUnsafeBytes { try sink.write($0) }
        }
    }

    /// A cached manifest's bytes, checked against their digest (a corrupt entry is removed); nil when absent.
    public func manifestBytes(_ digest: Digest) -> [UInt8]? {
        let path = path(digest)
        guard let status = try? FileStatus(path: path), status.size <= Self.largestManifest,
              let data = FileManager.default.contents(atPath: path) else { return nil }
        let bytes = [UInt8](data)
        guard SHA256Hasher.digest(bytes) == digest else {
            unlink(path)
            return nil
        }
        use(digest)
        return bytes
    }

    /// Registries refuse manifests over 4 MiB; a larger entry is a blob, not a manifest.
    static let largestManifest: Int64 = 4 << 20
}
