import Foundation

/// A registry read as a copy source. Blobs are downloaded (verified) into a content-addressed directory the
/// first time a destination needs them, and streamed on from there; a blob already in that directory with the
/// right size and digest is not downloaded again.
public struct RegistrySource: ContentSource {
    public let client: RegistryClient
    public let blobDirectory: String

    public init(client: RegistryClient, blobDirectory: String) {
        self.client = client
        self.blobDirectory = blobDirectory
    }

    public func manifestBytes(_ descriptor: Descriptor, in repository: String) throws -> [UInt8] {
        try client.fetchManifestBytes(descriptor.digest.string, in: repository).bytes
    }

    public func blob(_ descriptor: Descriptor, in repository: String) throws -> Blob {
        let path = blobDirectory + "/" + ImageLayoutIndex.blobPath(descriptor.digest)
        let kept = (try? FileDigester(cache: nil).digest(file: path)).map { $0.digest == descriptor.digest && $0.size == descriptor.size } ?? false
        if !kept {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try AtomicFile.write(to: path) { file in try client.fetchBlob(descriptor, from: repository, into: file) }
        }
        return Blob(descriptor: descriptor, content: .file(path: path))
    }
}
