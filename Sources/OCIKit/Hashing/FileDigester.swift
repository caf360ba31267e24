import Foundation

/// The digest and size of a piece of content.
public struct ContentDigest: Equatable, Sendable {
    public var digest: Digest
    public var size: Int64
    public init(digest: Digest, size: Int64) {
        self.digest = digest
        self.size = size
    }
}

/// Hashes files by streaming them, in parallel across files, consulting a `DigestCache` when given one.
public struct FileDigester: Sendable {
    public let cache: DigestCache?
    public let concurrency: Int
    /// Hears how many bytes each step of hashing read (progress; cached digests read nothing).
    public var onHashed: (@Sendable (Int64) -> Void)?
    /// Where directory tars hashed this run are kept for writing them out again (an export's); nil keeps none.
    public var spill: TarSpill?

    public init(cache: DigestCache?, concurrency: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.cache = cache
        self.concurrency = max(1, concurrency)
    }

    public func digest(file path: String) throws -> ContentDigest {
        let key = Self.canonicalPath(path)
        let before = try FileStatus(path: path)
        guard before.isRegularFile else {
            throw OCIError(.unsupported, "\(path) is not a regular file")
        }
        if let cached = cache?.lookup(path: key, status: before) {
            return ContentDigest(digest: cached, size: before.size)
        }
        let startedAt = Clock.nowNanoseconds()
        let sink = HashingSink()
        try FileStreamer.stream(path: path, into: reporting(sink), expectedSize: before.size)
        let digest = sink.finalize()
        // Only remember a digest if the file did not change while it was being read.
        if let cache, let after = try? FileStatus(path: path), after == before {
            cache.store(path: key, status: before, digest: digest, hashStartedAt: startedAt)
        }
        return ContentDigest(digest: digest, size: before.size)
    }

    /// The digest and size of `path`'s deterministic tar layer, from the cache when no entry of the tree has
    /// changed since it was hashed; else the tar is generated and hashed, and remembered if the tree did not change
    /// meanwhile.
    public func digest(directory path: String, options: TarOptions) throws -> ContentDigest {
        let key = Self.treeKey(path, options: options)
        let listing = try DirectoryListing(directory: path)
        let fingerprint = listing.fingerprint(options: options)
        if let cached = cache?.lookupTree(path: key, fingerprint: fingerprint) {
            return cached
        }
        let startedAt = Clock.nowNanoseconds()
        let kept = spill?.start()  // the tar written aside as it is hashed (an export's)
        let sink = HashingSink(forwardingTo: kept?.sink)
        try DirectoryTarWriter(options: options).write(listing, of: path, to: reporting(sink))
        let content = ContentDigest(digest: sink.finalize(), size: sink.count)
        // Only what is remembered (the cache's entry, the kept tar) needs the tree unchanged since it was listed.
        let unchanged = (cache != nil || kept != nil) && (try? DirectoryListing(directory: path)) == listing
        kept?.finish(as: content.digest, keep: unchanged)
        if let cache, unchanged {
            cache.storeTree(path: key, fingerprint: fingerprint, newestChangeNanoseconds: listing.newestChangeNanoseconds, content: content, hashStartedAt: startedAt)
        }
        return content
    }

    private func reporting(_ sink: any ByteSink) -> any ByteSink {
        onHashed.map { ProgressSink(forwardingTo: sink, progress: $0) } ?? sink
    }

    /// The directory's current listing if the cache holds a trusted entry saying its tar layer is `digest`, of
    /// `size` bytes: the tar can then be written without hashing it, provided the listing is the same afterwards.
    func trustedListing(of path: String, options: TarOptions, digest: Digest, size: Int64) -> DirectoryListing? {
        guard let cache, let listing = try? DirectoryListing(directory: path),
              cache.lookupTree(path: Self.treeKey(path, options: options), fingerprint: listing.fingerprint(options: options)) == ContentDigest(digest: digest, size: size)
        else { return nil }
        return listing
    }

    /// The file's current status if the cache holds a trusted entry saying it has `digest`: its bytes can then
    /// be copied without hashing them again, provided its status is still the same after the copy.
    func trustedStatus(of path: String, digest: Digest) -> FileStatus? {
        guard let cache, let status = try? FileStatus(path: path),
              cache.lookup(path: Self.canonicalPath(path), status: status) == digest
        else { return nil }
        return status
    }

    /// Digests of `paths`, in the same order, hashed up to `concurrency` at a time.
    public func digest(files paths: [String]) throws -> [ContentDigest] {
        try Parallel.map(paths, concurrency: concurrency) { try digest(file: $0) }
    }

    /// A tree's layer is remembered by its real path and, for a layer that stores it under a folder, that folder
    /// too: both layers of one model stay cached (a real path never holds `//`).
    static func treeKey(_ path: String, options: TarOptions) -> String {
        options.root.isEmpty ? canonicalPath(path) : canonicalPath(path) + "//" + options.root
    }

    static func canonicalPath(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
