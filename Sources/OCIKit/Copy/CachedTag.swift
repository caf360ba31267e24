import Foundation

/// What a registry tag pointed to when it was last resolved with the network, kept in the blob cache
/// (`tags/HEX.json`, HEX the SHA-256 of the reference) so the image can be found again with none.
/// The time stays in the cache: nothing built from the image records it.
public struct CachedTag: Codable, Sendable, Equatable {
    /// `HOST/REPOSITORY:TAG`, as the registry serves it (`registry-1.docker.io/library/…` for Docker Hub).
    public var reference: String
    public var digest: Digest
    public var mediaType: String
    public var size: Int64
    /// RFC 3339, UTC.
    public var resolvedAt: String

    enum CodingKeys: String, CodingKey {
        case reference, digest, size
        case mediaType = "media_type", resolvedAt = "resolved_at"
    }

    public var descriptor: Descriptor { Descriptor(mediaType: mediaType, digest: digest, size: size) }
}

extension BlobCache {
    private var tagsDirectory: String { directory + "/tags" }

    private func tagPath(_ reference: String) -> String {
        "\(tagsDirectory)/\(SHA256Hasher.digest(Array(reference.utf8)).encoded).json"
    }

    /// Records that `reference` (`HOST/REPOSITORY:TAG`) resolved to `descriptor` now; written whole, mode 0600.
    public func recordTag(_ reference: String, as descriptor: Descriptor, at date: Date = Date()) throws {
        let record = CachedTag(reference: reference, digest: descriptor.digest, mediaType: descriptor.mediaType, size: descriptor.size,
                               resolvedAt: SourceDate.rfc3339(Int64(date.timeIntervalSince1970)))
        try FileManager.default.createDirectory(atPath: tagsDirectory, withIntermediateDirectories: true)
        try AtomicFile.write(Data(try CanonicalJSON.encode(record)), to: tagPath(reference), permissions: 0o600)
    }

    /// Where `reference` pointed when it was last resolved, or nil (never resolved here, or an unreadable record).
    public func cachedTag(_ reference: String) -> CachedTag? {
        guard let data = FileManager.default.contents(atPath: tagPath(reference)),
              let record = try? CanonicalJSON.decode(CachedTag.self, from: [UInt8](data), what: "cached tag"),
              record.reference == reference else { return nil }
        return record
    }

    /// The recorded tags that lead to `digest`: pointing at it, or at a cached index that lists it; newest first.
    public func cachedTags(leadingTo digest: Digest) -> [CachedTag] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: tagsDirectory)) ?? []
        let records = names.filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.compactMap { name -> CachedTag? in
            guard let data = FileManager.default.contents(atPath: tagsDirectory + "/" + name) else { return nil }
            return try? CanonicalJSON.decode(CachedTag.self, from: [UInt8](data), what: "cached tag")
        }
        return records.filter { record in
            if record.digest == digest { return true }
            guard MediaType.isIndex(record.mediaType), let bytes = manifestBytes(record.digest),
                  let index = try? CanonicalJSON.decode(Index.self, from: bytes, what: "index") else { return false }
            return index.manifests.contains { $0.digest == digest }
        }.sorted { $0.resolvedAt > $1.resolvedAt }
    }
}

extension BlobCache {
    /// The record of a registry reference's tag (nil for a reference pinned only by digest, or never resolved here).
    public func cachedTag(of reference: ImageReference) -> CachedTag? {
        ImageResolver.tagKey(reference).flatMap(cachedTag)
    }
}
