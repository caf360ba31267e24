import Synchronization

/// One manifest (or index) to copy, and where it goes.
public struct CopyItem: Sendable, Hashable {
    public var descriptor: Descriptor
    /// Where the source holds it (registries; layouts and builds ignore it).
    public var sourceRepository: Repository
    /// The part of a `CombinedSource` it is read from ("" for any other source).
    public var sourcePart = ""
    /// Where it goes, relative to the destination's prefix, e.g. `models/ccfraud`.
    public var repository: String
    /// The tag to point at it; nil copies it by digest only.
    public var tag: String?
    /// False: its manifests may be written at the same time as those of the unordered items next to it (none of
    /// them references another, e.g. a publish's models). An ordered item's manifests are written after every
    /// earlier item's and before any later item's.
    public var ordered: Bool

    public init(descriptor: Descriptor, sourceRepository: Repository, repository: String, tag: String?, ordered: Bool = true) {
        self.descriptor = descriptor
        self.sourceRepository = sourceRepository
        self.repository = repository
        self.tag = tag
        self.ordered = ordered
    }

    /// Where the source holds it, and in which part.
    public var source: SourceKey { SourceKey(part: sourcePart, repository: sourceRepository) }

    /// An artifact under its own reference, from a source that names it the same way (a build, a bundle). The
    /// plan checks that name as the destination repository, so the source's needs no check of its own.
    public init(_ artifact: Artifact, ordered: Bool = true) {
        self.init(descriptor: artifact.manifestBlob.descriptor, sourceRepository: Repository(unchecked: artifact.repository),
                  repository: artifact.repository, tag: artifact.tag, ordered: ordered)
    }
}

/// What happened, as it happens (for progress output).
public enum CopyEvent: Sendable {
    public enum BlobOutcome: Sendable, Equatable {
        case existed, mounted, copied(bytes: Int64)
    }
    /// A blob's bytes start to move (it was neither present nor mountable).
    case blobStarted(Descriptor, repository: String)
    /// More of a blob's bytes moved (a count of new bytes, not a total).
    case blobBytes(Digest, Int64)
    /// `repository` is the destination's own name for it (with a registry's prefix).
    case blob(Descriptor, repository: String, BlobOutcome)
    case manifest(reference: String, digest: Digest, written: Bool)
}

/// What a copy moved.
public struct CopySummary: Sendable, Equatable {
    public var blobsCopied = 0
    public var bytesCopied: Int64 = 0
    public var blobsMounted = 0
    public var blobsExisting = 0
    public var manifestsWritten = 0
}

/// The one way content moves in edgepack: from a source to a destination. Every blob is read once from the
/// source, streamed through a hash checked against its descriptor, and skipped when the destination has it;
/// blobs go first (in parallel), then manifests (an index's children before the index, items in order), so
/// no tag ever points at content that is not all there. A failure or a stop request leaves the destination
/// as it was (layouts and archives are staged; registries get no tag).
public struct Copier: Sendable {
    public let source: any ContentSource
    public let destination: any ContentDestination
    public var concurrency: Int

    /// Blobs in flight at once unless asked otherwise: oras-go's default. On two cores, three streams through
    /// two registries finished sooner than four (mirror bench, docs/benchmarks.md "Mirror, streamed").
    public static let defaultConcurrency = 3
    /// Blobs of up to this size, existence checks, mounts and manifests cost round trips rather than bandwidth:
    /// they go `requestsPerStream` at a time for each blob stream allowed, beside the large blobs' streams. At
    /// 10 ms from the registry, a first publish of 200 small models took 7.1 s three at a time, 2.5 s twelve
    /// at a time (docs/benchmarks.md "Many small artifacts").
    public static let smallBlobSize: Int64 = 1 << 20
    public static let requestsPerStream = 4
    var requestConcurrency: Int { min(concurrency * Self.requestsPerStream, 64) }
    public var onEvent: (@Sendable (CopyEvent) -> Void)?

    public init(from source: any ContentSource, to destination: any ContentDestination, concurrency: Int = Copier.defaultConcurrency,
                onEvent: (@Sendable (CopyEvent) -> Void)? = nil) {
        self.source = source
        self.destination = destination
        self.concurrency = concurrency
        self.onEvent = onEvent
    }

    @discardableResult
    public func copy(_ items: [CopyItem]) throws -> CopySummary {
        // The copy's own scope: a failure stops the rest of this copy (workers, downloads, read-aheads) and not
        // the process, and the copy returns only once every thread it started has ended.
        let scope = CancellationScope()
        do {
            let summary = try scope.run { try run(CopyPlan(items, source: source)) }
            scope.finish(cancelling: false)
            try Cancellation.check()
            try destination.commit()
            return summary
        } catch {
            scope.finish(cancelling: true)
            destination.abort()
            throw error
        }
    }

    private func run(_ plan: CopyPlan) throws -> CopySummary {
        let summary = Mutex(CopySummary())
        destination.prepare(repositories: plan.repositories)
        // A tag that already names its manifest vouches for that manifest's blobs (a registry keeps what a
        // manifest it holds references): check every tagged manifest first, in parallel, and move only what the
        // others need. An unchanged artifact costs one request, whatever its number of blobs.
        let vouches = destination.tagVouchesForBlobs
        let present = try Parallel.map(plan.manifests, concurrency: requestConcurrency) { step in
            guard vouches, let tag = step.tag else { return false }
            return try destination.manifestDigest(tag, in: step.repository) == step.blob.descriptor.digest
        }
        var required = Set<BlobPlacement>()
        for (step, isPresent) in zip(plan.manifests, present) where !isPresent {
            for digest in step.blobs { required.insert(BlobPlacement(repository: step.repository, digest: digest)) }
        }
        var first: [(CopyPlan.BlobNeed, Repository, Repository?)] = [], others: [(CopyPlan.BlobNeed, Repository, Repository)] = []
        let carried = try requireWhatTheSourceLacks(plan, required: required)
        for need in plan.blobs {
            var (targets, holders) = need.repositories.reduce(into: ([Repository](), [Repository]())) { split, repository in
                if required.contains(BlobPlacement(repository: repository, digest: need.descriptor.digest)) { split.0.append(repository) } else { split.1.append(repository) }
            }
            if let present = carried[need.descriptor.digest] {
                // Not in the source: the repositories of the destination that hold it count as holders.
                holders += present
                targets.removeAll { present.contains($0) }
                for target in targets { others.append((need, target, present[0])) }
                for holder in present {
                    summary.withLock { $0.count(.existed) }
                    onEvent?(.blob(need.descriptor, repository: destination.displayName(holder), .existed))
                }
                continue
            }
            for holder in holders {
                summary.withLock { $0.count(.existed) }
                onEvent?(.blob(need.descriptor, repository: destination.displayName(holder), .existed))
            }
            guard let target = targets.first else { continue }
            first.append((need, target, holders.first))
            others += targets.dropFirst().map { (need, $0, target) }
        }
        try forEachBlob(first) { need, repository, origin in
            let outcome = try copyBlob(need.descriptor, from: need.source, to: repository, mountingFrom: origin)
            summary.withLock { $0.count(outcome) }
        }
        try forEachBlob(others) { need, repository, origin in
            let outcome = try copyBlob(need.descriptor, from: need.source, to: repository, mountingFrom: origin)
            summary.withLock { $0.count(outcome) }
        }
        // Manifests in order, except that a run of unordered items' image manifests goes in parallel.
        for wave in Self.waves(Array(zip(plan.manifests, present))) {
            try Parallel.forEach(wave, concurrency: requestConcurrency) { step, isPresent in
                try Cancellation.check()
                let digest = step.blob.descriptor.digest
                let written = vouches && step.tag != nil ? !isPresent : try destination.manifestDigest(step.tag ?? digest.string, in: step.repository) != digest
                if written {
                    try destination.putManifest(step.blob, in: step.repository, tag: step.tag)
                    summary.withLock { $0.manifestsWritten += 1 }
                }
                let name = destination.displayName(step.repository)
                onEvent?(.manifest(reference: step.tag.map { "\(name):\($0)" } ?? "\(name)@\(digest)", digest: digest, written: written))
            }
        }
        return summary.withLock { $0 }
    }

    /// Large blobs at most `concurrency` at a time and, beside them, small ones at most `requestConcurrency` at a
    /// time. Once either fails, neither starts another.
    private func forEachBlob<Origin: Sendable>(_ jobs: [(CopyPlan.BlobNeed, Repository, Origin)],
                                               _ body: @Sendable ((CopyPlan.BlobNeed, Repository, Origin)) throws -> Void) throws {
        let small = jobs.filter { $0.0.descriptor.size <= Self.smallBlobSize }, large = jobs.filter { $0.0.descriptor.size > Self.smallBlobSize }
        try Parallel.forEach(lanes: [(large, concurrency), (small, requestConcurrency)], body)
    }

    /// Consecutive image manifests of unordered items form one wave; anything else (an ordered item's manifest,
    /// an index, which must follow its children) is a wave of its own.
    static func waves(_ steps: [(CopyPlan.ManifestStep, Bool)]) -> [[(CopyPlan.ManifestStep, Bool)]] {
        var waves: [[(CopyPlan.ManifestStep, Bool)]] = []
        var joinable = false
        for step in steps {
            let unordered = !step.0.ordered && !step.0.isIndex
            if unordered, joinable { waves[waves.count - 1].append(step) } else { waves.append([step]) }
            joinable = unordered
        }
        return waves
    }

    /// A blob is asked for before it is sent, except a small one the source holds, where the destination would
    /// rather take it again than answer (`uploadsWithoutAskingUpTo`). A source need not hold what the destination
    /// has (a bundle of changes only): what it does not carry is always asked for.
    private func copyBlob(_ descriptor: Descriptor, from key: SourceKey, to repository: Repository, mountingFrom origin: Repository?) throws -> CopyEvent.BlobOutcome {
        try Cancellation.check()
        let source = try self.source.part(key.part), sourceRepository = key.repository
        let outcome: CopyEvent.BlobOutcome
        // Where a mount also answers "already there", a blob another repository holds is mounted without asking.
        let mountFirst = origin != nil && destination.mountAnswersPresence
        let ask = origin != nil || descriptor.size > destination.uploadsWithoutAskingUpTo || !source.holds(descriptor, in: sourceRepository)
        if mountFirst, let origin, try destination.mountBlob(descriptor, into: repository, from: origin) {
            outcome = .mounted
        } else if ask, try destination.hasBlob(descriptor, in: repository) {
            outcome = .existed
        } else if !mountFirst, let origin, try destination.mountBlob(descriptor, into: repository, from: origin) {
            outcome = .mounted
        } else if let external = source.mountOrigin(in: sourceRepository), destination.mountBlob(descriptor, into: repository, fromSource: external) {
            outcome = .mounted
        } else {
            guard source.holds(descriptor, in: sourceRepository) else {
                throw OCIError(.notFound, "\(destination.displayName(repository)) could not get blob \(descriptor.digest) from the repository that holds it, and the source does not carry it")
            }
            let blob = try source.blob(descriptor, in: sourceRepository)
            onEvent?(.blobStarted(descriptor, repository: destination.displayName(repository)))
            let onEvent = self.onEvent, digest = descriptor.digest
            try destination.putBlob(blob, in: repository) { count in onEvent?(.blobBytes(digest, count)) }
            outcome = .copied(bytes: descriptor.size)
        }
        onEvent?(.blob(descriptor, repository: destination.displayName(repository), outcome))
        return outcome
    }
}

extension Copier {
    /// For each blob the source does not carry (a delta bundle's), the repositories of the destination that hold
    /// it, checked before anything moves; when one the copy needs is held nowhere, the copy stops here with the
    /// list of what is missing, having written nothing.
    func requireWhatTheSourceLacks(_ plan: CopyPlan, required: Set<BlobPlacement>) throws -> [Digest: [Repository]] {
        let lacking = plan.blobs.filter { need in
            !source.holds(need.descriptor, at: need.source) && need.repositories.contains { required.contains(BlobPlacement(repository: $0, digest: need.descriptor.digest)) }
        }
        guard !lacking.isEmpty else { return [:] }
        let checks = lacking.flatMap { need in need.repositories.map { (need.descriptor, $0) } }
        let found = try Parallel.map(checks, concurrency: requestConcurrency) { descriptor, repository in
            try destination.hasBlob(descriptor, in: repository)
        }
        var present: [Digest: [Repository]] = [:]
        for ((descriptor, repository), isThere) in zip(checks, found) where isThere { present[descriptor.digest, default: []].append(repository) }
        let missing = lacking.filter { present[$0.descriptor.digest] == nil }
        guard missing.isEmpty else {
            let names = missing.map { "\(destination.displayName($0.repositories[0]))@\($0.descriptor.digest)" }
            throw OCIError(.notFound, "the destination lacks \(missing.count) blob\(missing.count == 1 ? "" : "s") that the source does not carry, so nothing was written: " + names.joined(separator: ", "),
                           obstacle: .destinationLacksLeftOutBlobs)
        }
        return present
    }
}

/// A blob as one repository of the destination needs it.
struct BlobPlacement: Hashable {
    var repository: Repository
    var digest: Digest
}

extension CopySummary {
    mutating func count(_ outcome: CopyEvent.BlobOutcome) {
        switch outcome {
        case .existed: blobsExisting += 1
        case .mounted: blobsMounted += 1
        case .copied(let bytes):
            blobsCopied += 1
            bytesCopied += bytes
        }
    }
}
