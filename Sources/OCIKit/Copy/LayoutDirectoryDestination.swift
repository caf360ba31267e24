import Foundation
import Synchronization

/// An OCI image layout directory (image-spec "image-layout") as a copy destination.
///
/// A new directory is built beside its destination and renamed into place on commit. An existing layout is
/// updated: blobs already there are reused once their digest is checked (a corrupt one is replaced), new blobs
/// are written atomically, and `index.json` is replaced last, so a failure never leaves an index naming
/// missing content.
public final class LayoutDirectoryDestination: ContentDestination {
    public let directory: String
    private let root: String
    private let isNew: Bool
    private let digester: FileDigester?
    private let existing: [Descriptor]
    private let entries = Mutex<[Descriptor]>([])

    public init(directory: String, digester: FileDigester? = nil) throws {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        self.directory = directory
        self.digester = digester
        if manager.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw OCIError(.invalidLayout, "\(directory) exists and is not a directory")
            }
            let isLayout = manager.fileExists(atPath: directory + "/oci-layout")
            let isEmpty = ((try? manager.contentsOfDirectory(atPath: directory)) ?? []).isEmpty
            guard isLayout || isEmpty else {
                throw OCIError(.invalidLayout, "\(directory) exists and is not an OCI image layout; choose another output directory")
            }
            root = directory
            isNew = false
            existing = (try? LayoutDirectorySource(directory: directory).index.manifests) ?? []
        } else {
            root = AtomicFile.temporaryPath(for: directory)
            isNew = true
            existing = []
        }
        try manager.createDirectory(atPath: root + "/blobs/sha256", withIntermediateDirectories: true)
    }

    public func hasBlob(_ descriptor: Descriptor, in repository: Repository) throws -> Bool {
        let path = blobPath(descriptor.digest)
        guard FileStatus.exists(path), let found = try? (digester ?? FileDigester(cache: nil)).digest(file: path) else { return false }
        return found.digest == descriptor.digest && found.size == descriptor.size
    }

    public func putBlob(_ blob: Blob, in repository: Repository, progress: @escaping @Sendable (Int64) -> Void) throws {
        try AtomicFile.write(to: blobPath(blob.descriptor.digest)) { sink in
            try blob.write(verifiedTo: ProgressSink(forwardingTo: sink, progress: progress), digester: digester)
        }
    }

    public func manifestDigest(_ reference: String, in repository: Repository) throws -> Digest? {
        let digest: Digest?
        if let pinned = try? Digest(parsing: reference) {
            digest = pinned
        } else {
            let name = "\(repository):\(reference)"
            digest = (entries.withLock { $0 } + existing).first { $0.annotations?[AnnotationKey.refName] == name }?.digest
        }
        guard let digest, let bytes = FileManager.default.contents(atPath: blobPath(digest)),
              SHA256Hasher.digest(Array(bytes)) == digest else { return nil }
        return digest
    }

    public func putManifest(_ blob: Blob, in repository: Repository, tag: String?) throws {
        if try !hasBlob(blob.descriptor, in: repository) { try putBlob(blob, in: repository) { _ in } }
        if let tag {
            let entry = ImageLayoutIndex.entry(blob.descriptor, repository: repository.path, tag: tag)
            entries.withLock { $0.append(entry) }
        }
    }

    public func commit() throws {
        try AtomicFile.write(Data(ImageLayoutIndex.headerBytes), to: root + "/oci-layout")
        let index = ImageLayoutIndex.make(entries.withLock { $0 }, keeping: existing)
        try AtomicFile.write(Data(try CanonicalJSON.encode(index)), to: root + "/index.json")
        if isNew {
            guard rename(root, directory) == 0 else { throw OCIError.io("rename into place", directory, errno: errno) }
        }
    }

    public func abort() {
        if isNew { try? FileManager.default.removeItem(atPath: root) }
    }

    private func blobPath(_ digest: Digest) -> String {
        root + "/" + ImageLayoutIndex.blobPath(digest)
    }
}
