import Foundation
import Synchronization
import Testing
import TestSupport
@testable import OCIKit

/// Cancellation scoped to one piece of work, and the threads that work owns.
@Suite struct CancellationScopeTests {
    /// One worker's failure stops its siblings at their next check, without stopping the process, and it is
    /// that failure (not the stops it caused) that the caller gets.
    @Test func aFailureStopsItsSiblingsAndNotTheProcess() throws {
        let started = Date()
        let error = try #require(throws: OCIError.self) {
            try Parallel.forEach(Array(0..<4), concurrency: 4) { index in
                if index == 2 {
                    Thread.sleep(forTimeInterval: 0.1)
                    throw OCIError(.io, "disk full")
                }
                try Cancellation.sleep(seconds: 30)
            }
        }
        #expect(error.message == "disk full")
        #expect(Date().timeIntervalSince(started) < 5, "the other workers slept on")
        #expect(!Cancellation.isRequested && !CancellationScope.current.isCancelled)
    }

    /// A scope reaches the scopes within it, not the one it is within, and waits for the threads it started.
    @Test func aScopeStopsAndWaitsForItsThreads() throws {
        let outer = CancellationScope()
        let inner = CancellationScope(parent: outer)
        let ended = Atomic<Bool>(false)
        try inner.spawn(name: "scope-test") {
            while (try? Cancellation.check()) != nil { usleep(1000) }
            ended.store(true, ordering: .relaxed)
        }
        inner.finish(cancelling: true)
        let hasEnded = ended.load(ordering: .relaxed)
        #expect(hasEnded, "finish returned before its thread ended")
        #expect(inner.isCancelled && CancellationScope(parent: inner).isCancelled && !outer.isCancelled)
    }

    /// A `Parallel` call inside another's worker runs on that worker's thread: threads do not multiply.
    @Test func aNestedCallRunsOnItsWorkersThread() throws {
        let threads = Mutex<Set<pthread_t>>([])
        try Parallel.forEach(Array(0..<8), concurrency: 4) { _ in
            try Parallel.forEach(Array(0..<8), concurrency: 4) { _ in
                threads.withLock { _ = $0.insert(pthread_self()) }
                usleep(2000)
            }
        }
        #expect(threads.withLock { $0.count } <= 4)
    }
}

/// Copies from a registry whose blobs stream from their downloads (threads of their own) into layouts.
@Suite struct CopyScopeTests {
    let registries = TestRegistries.shared

    /// The second item's blob cannot be read; the first's download is held mid-blob by the proxy. The copy fails
    /// with the second item's error as soon as it happens (not after the held download's stall time), and its
    /// download threads are gone when it returns.
    @Test func aFailedCopyStopsItsDownloadsAndReturnsWithoutThem() throws {
        let dir = try TemporaryDirectory()
        let held = try sampleArtifact(dir, name: "held", content: randomText(8 << 20))
        let failing = try sampleArtifact(dir, name: "failing", content: randomText(4 << 20))
        let prefix = uniquePrefix("scoped-failure")
        let client = try connect(registries.quirky)
        try Copier.copy([held, failing], to: RegistryDestination(client: client, prefixPath: prefix))
        try registries.setQuirks(["holdat": "\(1 << 20)"], match: "/v2/\(prefix)/models/held/blobs/")
        try registries.injectFaults(status: "500", count: 100, method: "GET", match: "/v2/\(prefix)/models/failing/blobs/", proxy: registries.quirky)
        let holdsBefore = try registries.heldTransfers()
        defer { try? registries.releaseHeldTransfers() }
        let heldDownload = held.layers[0].descriptor.downloadThreadName
        let sampler = ThreadSampler { $0 == heldDownload }

        let started = Date()
        let error = try #require(throws: OCIError.self) {
            try Copier(from: RegistrySource(client: client, cache: nil), to: LayoutDirectoryDestination(directory: dir.file("layout")))
                .copy([held, failing].map { CopyItem(descriptor: $0.manifestBlob.descriptor, sourceRepository: Repository(unchecked: "\(prefix)/\($0.repository)"), repository: $0.repository, tag: "v1") })
        }
        let threadsLeft = liveThreadNames().filter { name in [held, failing].contains { name == $0.layers[0].descriptor.downloadThreadName } }
        #expect(sampler.stop() == 1, "the held download's thread was never seen")
        #expect(error.code != .cancelled, "\(error)")
        #expect(try registries.heldTransfers() > holdsBefore, "the first item's download was not held")
        #expect(Date().timeIntervalSince(started) < 20, "the copy waited for its held download")
        #expect(threadsLeft.isEmpty, "download threads outlived the copy: \(threadsLeft)")
        #expect(!Cancellation.isRequested)
    }

    /// Copies run side by side from one pool's workers, each of many items with many blobs: each copy runs on its
    /// worker's thread (its own pool would multiply threads), so the threads at work stay within the pool's size
    /// and one download each.
    @Test func copiesInsideAPoolStayWithinItsThreads() throws {
        let dir = try TemporaryDirectory()
        let artifacts = try (0..<12).map { try sampleArtifact(dir, name: "many\($0)", content: randomText(200_000)) }
        let prefix = uniquePrefix("scoped-threads")
        let client = try connect(registries.token)
        try Copier.copy(artifacts, to: RegistryDestination(client: client, prefixPath: prefix))
        let names = Set(artifacts.flatMap { [$0.layers[0].descriptor.downloadThreadName, $0.config.descriptor.downloadThreadName] })
        let workers = Mutex<Set<pthread_t>>([])
        let sampler = ThreadSampler(names.contains)
        let pool = 3
        try Parallel.forEach(Array(0..<pool), concurrency: pool) { copy in
            let items = artifacts.map { CopyItem(descriptor: $0.manifestBlob.descriptor, sourceRepository: Repository(unchecked: "\(prefix)/\($0.repository)"), repository: $0.repository, tag: "v1", ordered: false) }
            let onEvent: @Sendable (CopyEvent) -> Void = { _ in _ = workers.withLock { $0.insert(pthread_self()) } }
            try Copier(from: RegistrySource(client: client, cache: nil), to: LayoutDirectoryDestination(directory: dir.file("layout\(copy)")), onEvent: onEvent).copy(items)
        }
        let (threadsAtWork, downloadsAtOnce) = (workers.withLock { $0.count }, sampler.stop())
        #expect(threadsAtWork <= pool && downloadsAtOnce <= pool, "\(threadsAtWork) threads at work, \(downloadsAtOnce) downloads at once")
    }

    private func connect(_ host: String) throws -> RegistryClient {
        var options = RegistryOptions()
        options.plainHTTP = true
        return try RegistryClient.connect(host: host, credential: .password(username: "edgepack", password: "edgepack-pass"), options: options)
    }
}

/// `count` characters no other test writes (a digest of their own).
private func randomText(_ count: Int) -> String {
    let unique = UUID().uuidString
    return unique + String(repeating: "w", count: max(count - unique.count, 0))
}

/// The names of this process's threads now (what `/proc/self/task/*/comm` says).
private func liveThreadNames() -> [String] {
    let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
    return tasks.compactMap { task in
        (try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// Counts, every 2 ms until stopped, the threads whose names `matches`; `stop` gives the most seen at once.
private final class ThreadSampler: Sendable {
    private final class Counts: Sendable {
        let sampling = Atomic<Bool>(true)
        let most = Atomic<Int>(0)
    }
    private let counts = Counts()
    private let thread: JoinableThread?

    init(_ matches: @escaping @Sendable (String) -> Bool) {
        let counts = self.counts
        thread = JoinableThread(name: "sampler") {
            while counts.sampling.load(ordering: .relaxed) {
                let count = liveThreadNames().filter(matches).count
                if count > counts.most.load(ordering: .relaxed) { counts.most.store(count, ordering: .relaxed) }
                usleep(2000)
            }
        }
    }

    func stop() -> Int {
        counts.sampling.store(false, ordering: .relaxed)
        thread?.join()
        return counts.most.load(ordering: .relaxed)
    }
}
