import Foundation

/// Writes artifacts into an OCI image layout directory (image-spec "image-layout").
///
/// A new directory is built beside its destination and renamed into place when complete. An existing layout is
/// updated: blobs already there are reused once their digest is checked, new blobs are written atomically, and
/// `index.json` is replaced last, so a failure never leaves an index naming missing content.
public struct ImageLayoutWriter: Sendable {
    public let directory: String
    public let digester: FileDigester

    public init(directory: String, digester: FileDigester) {
        self.directory = directory
        self.digester = digester
    }

    /// Returns the number of blobs written (the rest were already present and verified).
    @discardableResult
    public func write(_ artifacts: [Artifact]) throws -> Int {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw OCIError(.invalidLayout, "\(directory) exists and is not a directory")
            }
            let isLayout = manager.fileExists(atPath: directory + "/oci-layout")
            let isEmpty = ((try? manager.contentsOfDirectory(atPath: directory)) ?? []).isEmpty
            guard isLayout || isEmpty else {
                throw OCIError(.invalidLayout, "\(directory) exists and is not an OCI image layout; choose another output directory")
            }
            return try fill(directory, with: artifacts)
        }
        let staging = AtomicFile.temporaryPath(for: directory)
        do {
            try manager.createDirectory(atPath: staging, withIntermediateDirectories: true)
            let written = try fill(staging, with: artifacts)
            guard rename(staging, directory) == 0 else { throw OCIError.io("rename into place", directory, errno: errno) }
            return written
        } catch {
            try? manager.removeItem(atPath: staging)
            throw error
        }
    }

    private func fill(_ root: String, with artifacts: [Artifact]) throws -> Int {
        try FileManager.default.createDirectory(atPath: root + "/blobs/sha256", withIntermediateDirectories: true)
        var written = 0
        for blob in ImageLayoutIndex.uniqueBlobs(artifacts) {
            let path = root + "/" + ImageLayoutIndex.blobPath(blob.descriptor.digest)
            if try isPresent(blob.descriptor, at: path) { continue }
            try AtomicFile.write(to: path) { sink in try blob.write(verifiedTo: sink, digester: digester) }
            written += 1
        }
        try AtomicFile.write(Data(ImageLayoutIndex.headerBytes), to: root + "/oci-layout")
        let existing = (try? readIndex(root + "/index.json"))?.manifests ?? []
        let index = ImageLayoutIndex.make(artifacts, keeping: existing)
        try AtomicFile.write(Data(try CanonicalJSON.encode(index)), to: root + "/index.json")
        return written
    }

    /// Whether a blob file already holds exactly this content (a corrupt one is replaced).
    private func isPresent(_ descriptor: Descriptor, at path: String) throws -> Bool {
        guard FileStatus.exists(path) else { return false }
        guard let found = try? digester.digest(file: path) else { return false }
        return found.digest == descriptor.digest && found.size == descriptor.size
    }

    private func readIndex(_ path: String) throws -> Index? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try CanonicalJSON.decode(Index.self, from: Array(data), what: path)
    }
}
