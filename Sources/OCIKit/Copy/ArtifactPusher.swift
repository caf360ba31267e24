import Foundation
import Synchronization

/// Pushes artifacts under a repository prefix in an order that never lets a tag point at missing content:
/// every blob first (in parallel; each uploaded once, then mounted into the other repositories that need it),
/// then the manifests in the order given. Whatever the registry already has is skipped.
public struct ArtifactPusher: Sendable {
    /// What happened to each blob and tag, as it happens (for progress output).
    public enum Event: Sendable {
        case blob(Descriptor, repository: String, RegistryClient.BlobOutcome)
        case tag(reference: String, digest: Digest, written: Bool)
    }

    public let client: RegistryClient
    /// The path under the registry host, e.g. `acme/edge` (may be empty).
    public let prefixPath: String
    public let onEvent: (@Sendable (Event) -> Void)?

    public init(client: RegistryClient, prefixPath: String, onEvent: (@Sendable (Event) -> Void)? = nil) {
        self.client = client
        self.prefixPath = prefixPath
        self.onEvent = onEvent
    }

    public func repository(for artifact: Artifact) -> String {
        prefixPath.isEmpty ? artifact.repository : "\(prefixPath)/\(artifact.repository)"
    }

    /// Returns each artifact's manifest digest, by reference.
    @discardableResult
    public func push(_ artifacts: [Artifact]) throws -> [String: Digest] {
        let client = self.client, onEvent = self.onEvent
        client.willPush(to: artifacts.map(repository(for:)))
        // A tag that already names this very manifest vouches for its blobs (a registry keeps what a manifest
        // it holds references), so an unchanged artifact costs one HEAD, whatever its number of blobs.
        let existing = try client.manifestDigests(artifacts.map { ($0.tag, repository(for: $0)) })
        let present = Set(zip(artifacts, existing).filter { $0.1 == $0.0.manifestBlob.descriptor.digest }.map(\.0.reference))
        var holders: [Digest: String] = [:]  // a repository known to hold the blob, to mount it from
        for artifact in artifacts where present.contains(artifact.reference) {
            for blob in artifact.contentBlobs {
                holders[blob.descriptor.digest] = repository(for: artifact)
                client.counters.existingBlobsCounter.add(1, ordering: .relaxed)
                onEvent?(.blob(blob.descriptor, repository: repository(for: artifact), .existed))
            }
        }
        // Which repositories need each blob, in first-use order.
        var needs: [Digest: (blob: Blob, repositories: [String])] = [:]
        var order: [Digest] = []
        for artifact in artifacts where !present.contains(artifact.reference) {
            let repository = repository(for: artifact)
            for blob in artifact.contentBlobs {
                if needs[blob.descriptor.digest] == nil {
                    needs[blob.descriptor.digest] = (blob, [])
                    order.append(blob.descriptor.digest)
                }
                if !needs[blob.descriptor.digest]!.repositories.contains(repository) {
                    needs[blob.descriptor.digest]!.repositories.append(repository)
                }
            }
        }
        let work = order.map { needs[$0]! }
        try Parallel.forEach(work, concurrency: client.options.concurrency) { [holders] item in
            let origins = holders[item.blob.descriptor.digest].map { [$0] } ?? []
            let outcome = try Self.upload(item.blob, to: item.repositories[0], mountFrom: origins, client: client)
            onEvent?(.blob(item.blob.descriptor, repository: item.repositories[0], outcome))
        }
        let mounts = work.flatMap { item in item.repositories.dropFirst().map { (item.blob, $0, item.repositories[0]) } }
        try Parallel.forEach(mounts, concurrency: client.options.concurrency) { blob, repository, origin in
            let outcome = try Self.upload(blob, to: repository, mountFrom: [origin], client: client)
            onEvent?(.blob(blob.descriptor, repository: repository, outcome))
        }
        var digests: [String: Digest] = [:]
        for artifact in artifacts {
            let repository = repository(for: artifact)
            let digest = artifact.manifestBlob.descriptor.digest
            let written = !present.contains(artifact.reference)
            if written {
                try client.putManifest(artifact.manifestBlob, as: artifact.tag, in: repository)
            }
            onEvent?(.tag(reference: "\(repository):\(artifact.tag)", digest: digest, written: written))
            digests[artifact.reference] = digest
        }
        return digests
    }

    private static func upload(_ blob: Blob, to repository: String, mountFrom: [String] = [], client: RegistryClient) throws -> RegistryClient.BlobOutcome {
        let staging = StagedLayer(blob)
        defer { staging.remove() }
        let content = blob.content
        let source: @Sendable (Int64, Int64) throws -> any UploadSource = { offset, length in
            switch content {
            case .bytes(let bytes): return MemoryUploadSource(Array(bytes[Int(offset)..<Int(offset + length)]))
            case .file(let path): return try FileUploadSource(path: path, offset: offset, length: length)
            case .fileRange(let path, let start, _): return try FileUploadSource(path: path, offset: start + offset, length: length)
            case .directoryTar: return try FileUploadSource(path: staging.path(), offset: offset, length: length)
            }
        }
        return try client.pushBlob(blob.descriptor, to: repository, mountFrom: mountFrom, source: source)
    }
}

/// A directory's tar is generated, not stored: the first time an upload needs its bytes, it is written once to
/// a temporary file (checked against its digest on the way), which chunks and retries then re-read.
final class StagedLayer: Sendable {
    private let blob: Blob
    private let staged = Mutex<String?>(nil)

    init(_ blob: Blob) { self.blob = blob }

    func path() throws -> String {
        try staged.withLock { staged in
            if let staged { return staged }
            let path = NSTemporaryDirectory() + "edgepack-layer-\(blob.descriptor.digest.encoded.prefix(16))-\(UUID().uuidString)"
            try AtomicFile.write(to: path) { try blob.write(verifiedTo: $0) }
            staged = path
            return path
        }
    }

    func remove() {
        staged.withLock { staged in
            if let staged { unlink(staged) }
            staged = nil
        }
    }
}
