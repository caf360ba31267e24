import Foundation
import OCIKit

/// What changed between two releases of a pipeline (two bundles or layouts): each artifact's repository with
/// its version on either side, the blobs they share, and what a delta bundle from the first to the second would
/// carry (exactly what `export --since FIRST` leaves in).
public struct ReleaseDiff: Sendable, Encodable {
    public enum Change: String, Sendable, Encodable { case same, changed, added, removed }

    public struct Row: Sendable, Encodable {
        public var repository: String
        public var kind: String
        public var before: Side?
        public var after: Side?
        public var change: Change
    }

    public struct Side: Sendable, Encodable {
        public var tag: String
        public var digest: String
        public var size: Int64
    }

    public struct Totals: Sendable, Encodable {
        public var sharedBlobs: Int
        public var sharedBytes: Int64
        public var deltaBlobs: Int
        /// The blob bytes a delta bundle carries.
        public var deltaBytes: Int64
        /// The delta bundle's size on disk: its blobs with their tar framing, index.json and oci-layout.
        public var deltaBundleBytes: Int64

        enum CodingKeys: String, CodingKey {
            case sharedBlobs = "shared_blobs", sharedBytes = "shared_bytes", deltaBlobs = "delta_blobs"
            case deltaBytes = "delta_bytes", deltaBundleBytes = "delta_bundle_bytes"
        }
    }

    public var before: String
    public var after: String
    public var rows: [Row]
    public var totals: Totals

    public init(from old: any ImageLayoutSource, to new: any ImageLayoutSource) throws {
        before = old.path
        after = new.path
        let oldEntries = try Self.entries(old), newEntries = try Self.entries(new)
        rows = Set(oldEntries.keys).union(newEntries.keys).sorted(by: Self.order).map { repository in
            let was = oldEntries[repository], now = newEntries[repository]
            let change: Change = was == nil ? .added : now == nil ? .removed : was?.digest == now?.digest ? .same : .changed
            return Row(repository: repository, kind: Self.kind(of: repository), before: was, after: now, change: change)
        }
        let oldBlobs = try old.referencedBlobs(), newBlobs = try new.referencedBlobs()
        let shared = Set(oldBlobs.keys).intersection(newBlobs.keys)
        // A bundle always holds its manifests (its index names them); what it leaves out are blobs.
        let artifacts = try new.artifacts()
        let manifests = Set(artifacts.map(\.manifestBlob.descriptor.digest) + new.index.manifests.map(\.digest))
        let left = SiteContent.omitted(from: artifacts, siteHolds: Set(oldBlobs.keys)).subtracting(manifests)
        let carried = newBlobs.filter { !left.contains($0.key) }
        totals = Totals(sharedBlobs: shared.count, sharedBytes: shared.reduce(0) { $0 + (newBlobs[$1] ?? 0) },
                        deltaBlobs: carried.count, deltaBytes: carried.values.reduce(0, +),
                        deltaBundleBytes: Self.bundleSize(blobs: Array(carried.values), index: new.index))
    }

    /// Each artifact of the layout by repository (signatures and attestations, `sha256-….sig`/`.att`, are left to
    /// the totals), with the manifest's tag, digest and the size of everything it references.
    static func entries(_ layout: any ImageLayoutSource) throws -> [String: Side] {
        var entries: [String: Side] = [:]
        for entry in layout.index.manifests {
            guard let reference = entry.annotations?[AnnotationKey.refName] else { continue }
            let (repository, tag) = Artifact.split(reference)
            guard !tag.hasPrefix("sha256-") else { continue }
            var size = entry.size
            if !MediaType.isIndex(entry.mediaType), layout.carries(entry.digest) {
                let manifest = try CanonicalJSON.decode(Manifest.self, from: try layout.bytes(entry), what: "manifest \(reference)")
                size += ([manifest.config] + manifest.layers).reduce(0) { $0 + $1.size }
            }
            entries[repository] = Side(tag: tag, digest: entry.digest.string, size: size)
        }
        return entries
    }

    /// A layout tar's size: each blob a 512-byte header and its bytes rounded up to 512, the folders, oci-layout,
    /// index.json, and the two zero blocks that end a tar.
    static func bundleSize(blobs: [Int64], index: Index) -> Int64 {
        func entry(_ size: Int64) -> Int64 { 512 + (size + 511) / 512 * 512 }
        let indexSize = Int64((try? CanonicalJSON.encode(index))?.count ?? 0)
        return blobs.reduce(0) { $0 + entry($1) } + 3 * 512 + entry(30) + entry(indexSize) + 1024
    }

    static func kind(of repository: String) -> String {
        let first = repository.split(separator: "/").first.map(String.init) ?? repository
        return ["pipelines": "pipeline", "models": "model", "model-images": "model image", "charts": "chart", "compose": "compose", "engine": "engine", "sidekicks": "sidekick"][first] ?? "other"
    }

    /// Pipeline first, then models, chart, compose, engine and sidekicks, each by name.
    static func order(_ a: String, _ b: String) -> Bool {
        let rank = ["pipeline": 0, "model": 1, "model image": 2, "chart": 3, "compose": 4, "engine": 5, "sidekick": 6, "other": 7]
        let (ra, rb) = (rank[kind(of: a)] ?? 7, rank[kind(of: b)] ?? 7)
        return ra != rb ? ra < rb : a < b
    }
}
