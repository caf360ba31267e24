import Foundation

/// An OCI image layout directory read as a copy source: its index, its manifests, its blobs as files.
public struct LayoutDirectorySource: ContentSource {
    public let directory: String
    public let index: Index

    public init(directory: String) throws {
        self.directory = directory
        guard FileStatus.exists(directory + "/oci-layout"), let data = FileManager.default.contents(atPath: directory + "/index.json") else {
            throw OCIError(.invalidLayout, "\(directory) is not an OCI image layout (no oci-layout or index.json)")
        }
        index = try CanonicalJSON.decode(Index.self, from: Array(data), what: "\(directory)/index.json")
    }

    public func manifestBytes(_ descriptor: Descriptor, in repository: Repository) throws -> [UInt8] {
        guard descriptor.size <= 16 << 20 else { throw OCIError(.unsupported, "manifest \(descriptor.digest) is too large (\(descriptor.size) bytes)") }
        guard let data = FileManager.default.contents(atPath: try path(descriptor)) else {
            throw OCIError(.invalidLayout, "\(directory) lacks blob \(descriptor.digest)")
        }
        return Array(data)
    }

    public func blob(_ descriptor: Descriptor, in repository: Repository) throws -> Blob {
        Blob(descriptor: descriptor, content: .file(path: try path(descriptor)))
    }

    private func path(_ descriptor: Descriptor) throws -> String {
        let path = directory + "/" + ImageLayoutIndex.blobPath(descriptor.digest)
        guard let status = try? FileStatus(path: path) else { throw OCIError(.invalidLayout, "\(directory) lacks blob \(descriptor.digest)") }
        guard status.size == descriptor.size else {
            throw OCIError(.sizeMismatch, "\(directory): blob \(descriptor.digest) has \(status.size) bytes, its descriptor says \(descriptor.size)")
        }
        return path
    }
}
