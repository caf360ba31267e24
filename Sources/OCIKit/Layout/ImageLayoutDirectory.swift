import Foundation

/// An OCI image layout directory (what `ImageLayoutWriter` writes) opened for reading.
public struct ImageLayoutDirectory: ImageLayoutSource {
    public let path: String
    public let index: Index

    public init(path: String) throws {
        self.path = path
        guard FileStatus.exists(path + "/oci-layout"), let data = FileManager.default.contents(atPath: path + "/index.json") else {
            throw OCIError(.invalidLayout, "\(path) is not an OCI image layout directory (no oci-layout or index.json)")
        }
        index = try CanonicalJSON.decode(Index.self, from: Array(data), what: "\(path)/index.json")
    }

    public func blob(_ descriptor: Descriptor) throws -> Blob {
        let file = try blobFile(descriptor)
        return Blob(descriptor: descriptor, content: .file(path: file))
    }

    public func bytes(_ descriptor: Descriptor) throws -> [UInt8] {
        guard descriptor.size <= 16 << 20 else { throw OCIError(.unsupported, "\(descriptor.digest) is too large to read into memory") }
        let file = try blobFile(descriptor)
        guard let data = FileManager.default.contents(atPath: file) else { throw OCIError(.io, "cannot read \(file)") }
        guard SHA256Hasher.digest(Array(data)) == descriptor.digest else {
            throw OCIError(.digestMismatch, "\(path): blob \(descriptor.digest) is corrupt")
        }
        return Array(data)
    }

    /// The blob's file (digests are hex, so the path cannot leave the layout), checked for presence and size.
    private func blobFile(_ descriptor: Descriptor) throws -> String {
        let file = path + "/" + ImageLayoutIndex.blobPath(descriptor.digest)
        guard let status = try? FileStatus(path: file), status.isRegularFile else {
            throw OCIError(.invalidLayout, "\(path) lacks blob \(descriptor.digest)")
        }
        guard status.size == descriptor.size else {
            throw OCIError(.sizeMismatch, "\(path): blob \(descriptor.digest) has \(status.size) bytes, its descriptor says \(descriptor.size)")
        }
        return file
    }
}
