import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A folder of plain files as a copy destination (what `edgepack pull` writes): each blob goes to the paths the
/// caller names for it, a tar layer unpacked into its folder; manifests are checked by the copy plan and not
/// kept. The folder is filled beside its destination and put in place whole on commit (replacing an earlier
/// result whole), or removed on abort, so a failure or a stop leaves the destination as it was.
///
/// Every blob is verified against its descriptor here, whatever the source (`BlobTrust`). A source that
/// downloads into `downloads` (`RegistrySource(client:downloadingInto:)`) hands over files this destination
/// owns: checked by their download, they are linked into place instead of copied.
public final class FileTreeDestination: ContentDestination {
    public struct Placement: Sendable, Hashable {
        /// Relative to the folder; plain components only (checked).
        public var path: String
        /// A tar unpacked into the folder `path` (plain files only: `TarExtractor`), rather than the file `path`.
        public var unpacked: Bool
        /// The most an unpacked tar may expand to.
        public var limit: UnpackLimit?

        public init(path: String, unpacked: Bool = false, limit: UnpackLimit? = nil) {
            self.path = path
            self.unpacked = unpacked
            self.limit = limit
        }
    }

    public let directory: String
    /// Where a source may download this destination's blobs; dropped on commit.
    public let downloads: String
    private let staging: StagedDirectory
    private let placements: [Digest: [Placement]]
    private let finish: @Sendable (_ staged: String) throws -> Void

    /// `isReplaceable` accepts an existing non-empty folder to replace (an earlier result); `finish` looks at the
    /// staged folder, complete, before it is put in place, and may add to it (a file saying who wrote it).
    public init(directory: String, placements: [Digest: [Placement]], isReplaceable: (String) -> Bool,
                finish: @escaping @Sendable (_ staged: String) throws -> Void = { _ in }) throws {
        var taken = Set<String>()
        for (digest, places) in placements {
            for place in places {
                guard PlainRelativePath.isValid(place.path), !place.path.hasPrefix(".") else {
                    throw OCIError(.unsafePath, "blob \(digest) names an unsafe path '\(MessageText.escaped(place.path))'; refusing it")
                }
                guard taken.insert(place.path).inserted else {
                    throw OCIError(.invalidLayout, "two blobs map to \(MessageText.escaped(place.path)); refusing them")
                }
            }
        }
        self.directory = directory
        self.placements = placements
        self.finish = finish
        staging = try StagedDirectory(for: directory, isReplaceable: isReplaceable)
        downloads = staging.path + "/.blobs"
    }

    public func hasBlob(_ descriptor: Descriptor, in repository: Repository) throws -> Bool { false }

    public func putBlob(_ blob: Blob, in repository: Repository, progress: @escaping @Sendable (Int64) -> Void) throws {
        let local = try verifiedFile(blob, progress: progress)  // checked even when it goes nowhere
        let places = placements[blob.descriptor.digest] ?? []
        defer { unlink(local) }  // the placed files keep their own links
        for place in places {
            let target = staging.path + "/" + place.path
            try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            if place.unpacked {
                try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
                try TarExtractor.extract(local, into: target, label: place.path, limit: place.limit)
            } else if link(local, target) != 0 {
                throw OCIError.io("create", target, errno: errno)
            }
        }
    }

    /// A file under `downloads` holding exactly the blob: the source's own download there (verified as
    /// `BlobTrust` says: a download still running checks itself, a finished file is hashed), or the content
    /// written there, verified on its way.
    private func verifiedFile(_ blob: Blob, progress: @escaping @Sendable (Int64) -> Void) throws -> String {
        let descriptor = blob.descriptor
        let path = "\(downloads)/\(descriptor.digest.algorithm)/\(descriptor.digest.encoded)"
        switch blob.content {
        case .file(path):
            try blob.write(verifiedTo: ProgressSink(forwardingTo: DiscardingSink(), progress: progress))
            return path
        case .growing(let download, _):
            do {
                try blob.write(verifiedTo: ProgressSink(forwardingTo: DiscardingSink(), progress: progress))
            } catch {
                _ = try? download.wait()  // no download outlives the copy
                throw error
            }
            if try download.wait() == path { return path }
        default:
            break
        }
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try AtomicFile.write(to: path) { sink in try blob.write(verifiedTo: ProgressSink(forwardingTo: sink, progress: progress)) }
        return path
    }

    public func manifestDigest(_ reference: String, in repository: Repository) throws -> Digest? { nil }

    /// A folder of files keeps no manifests (the plan checked them; their blobs are placed).
    public func putManifest(_ blob: Blob, in repository: Repository, tag: String?) throws {}

    public func commit() throws {
        try? FileManager.default.removeItem(atPath: downloads)
        try finish(staging.path)
        try staging.commit()
    }

    public func abort() {
        staging.discard()
    }
}

/// Takes bytes and keeps none (a check that only needs them to pass).
private final class DiscardingSink: ByteSink {
    func write(_ bytes: UnsafeRawBufferPointer) throws {}
}
