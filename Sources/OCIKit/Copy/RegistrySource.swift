import Foundation
import Synchronization

/// A registry read as a copy source. A blob is downloaded (verified) into the blob cache the first time a
/// destination needs it, and streamed on to the destination as it arrives; a blob already cached is not
/// downloaded again. With no cache, blobs go from their download straight to the destination, never to disk
/// (`StreamedBlob`). Manifests are read once.
/// A destination on the same registry host can mount blobs from the source repository instead (`mountOrigin`).
/// A source made with `downloadingInto:` downloads each blob whole into a directory instead, resumably (a cut
/// transfer goes on with a `Range` request; a killed run's bytes wait in `options.partialDownloads`).
public struct RegistrySource: ContentSource {
    public let client: RegistryClient
    /// Nil: blobs are streamed, not kept.
    public let cache: BlobCache?
    private let manifests = ManifestMemo()
    /// Where whole downloads go (`downloadingInto:`), instead of the cache.
    private let downloads: String?

    /// Downloads into `cache`; nil for no cache (each blob streamed from its download to the destination).
    public init(client: RegistryClient, cache: BlobCache?) {
        self.client = client
        self.cache = cache
        downloads = nil
    }

    /// Downloads each blob, resumably and verified, into `directory` (as `sha256/HEX`), which the caller owns
    /// (a destination that can then move the files instead of copying them, such as `FileTreeDestination`).
    public init(client: RegistryClient, downloadingInto directory: String) {
        self.client = client
        cache = nil
        downloads = directory
    }

    public func manifestBytes(_ descriptor: Descriptor, in repository: Repository) throws -> [UInt8] {
        if let bytes = manifests.bytes(descriptor.digest) { return bytes }
        let bytes = try client.fetchManifestBytes(.digest(descriptor.digest), in: repository).bytes
        manifests.remember(bytes, as: descriptor.digest)
        return bytes
    }

    /// Remembers manifest bytes already fetched (by their digest) so a copy does not fetch them again.
    func remember(_ bytes: [UInt8], as digest: Digest) { manifests.remember(bytes, as: digest) }

    /// A cached blob is a file; any other starts downloading (into the cache) and is handed out at once as a
    /// growing file, so the destination uploads it as it arrives.
    public func blob(_ descriptor: Descriptor, in repository: Repository) throws -> Blob {
        if let downloads {
            let path = "\(downloads)/\(descriptor.digest.algorithm)/\(descriptor.digest.encoded)"
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            if FileStatus.exists(path) { return Blob(descriptor: descriptor, content: .file(path: path)) }
            // Handed out as it arrives, so the destination's check runs alongside the download. The destination
            // waits for the download to end (`GrowingFile.wait`), and the copy's scope owns its thread, so none
            // outlives the copy.
            let growing = GrowingFile()
            let client = self.client
            try CancellationScope.current.spawn(name: descriptor.downloadThreadName) {
                growing.finish(Result { try client.fetchBlob(descriptor, from: repository, toFile: path, growing: growing); return path })
            }
            return Blob(descriptor: descriptor, content: .growing(growing, length: descriptor.size))
        }
        guard let cache else {
            return Blob(descriptor: descriptor, content: .streamed(StreamedBlob(client: client, descriptor: descriptor, repository: repository)))
        }
        if let path = cache.lookup(descriptor) { return Blob(descriptor: descriptor, content: .file(path: path)) }
        let growing = GrowingFile()
        let client = self.client
        try CancellationScope.current.spawn(name: descriptor.downloadThreadName) {  // owned by the copy's scope, like the download above
            growing.finish(Result { try cache.store(descriptor, growing: growing) { sink in try client.fetchBlob(descriptor, from: repository, into: sink) } })
        }
        return Blob(descriptor: descriptor, content: .growing(growing, length: descriptor.size))
    }

    public func mountOrigin(in repository: Repository) -> BlobOrigin? {
        BlobOrigin(host: client.host, repository: repository)
    }
}

final class ManifestMemo: Sendable {
    private let entries = Mutex<[Digest: [UInt8]]>([:])
    func bytes(_ digest: Digest) -> [UInt8]? { entries.withLock { $0[digest] } }
    func remember(_ bytes: [UInt8], as digest: Digest) {
        guard SHA256Hasher.digest(bytes) == digest else { return }
        entries.withLock { $0[digest] = bytes }
    }
}
