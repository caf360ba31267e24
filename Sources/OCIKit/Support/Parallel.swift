import Synchronization

/// Bounded parallelism for blocking work (file I/O, hashing, transfers), off Swift's cooperative thread pool.
/// Each call runs its work in a `CancellationScope` of its own: the first failure cancels it, so the work in
/// flight (and the downloads it started) stops at its next check instead of running on, and the call returns
/// only once every thread started within it has ended. A call made inside another call's worker runs inline,
/// one item after another: threads do not multiply with nesting.
public enum Parallel {
    /// Runs `body` for every element, at most `concurrency` at a time; the first error is rethrown.
    public static func forEach<T: Sendable>(_ items: [T], concurrency: Int, _ body: @Sendable (T) throws -> Void) throws {
        try forEach(lanes: [(items, concurrency)], body)
    }

    /// Runs `body` for every element of every lane, all lanes at once, each at most its `concurrency` at a time
    /// (e.g. large blobs a few at a time beside small ones many at a time). Once any fails, none starts another.
    public static func forEach<T: Sendable>(lanes: [(items: [T], concurrency: Int)], _ body: @Sendable (T) throws -> Void) throws {
        try run(lanes.map { (count: $0.items.count, concurrency: $0.concurrency) }) { lane, index in try body(lanes[lane].items[index]) }
    }

    /// Applies `transform` to every element, at most `concurrency` at a time; results keep the input order.
    /// The first error thrown (by input order; a failure before the stops it caused) is rethrown once all work
    /// has stopped.
    public static func map<T: Sendable, R: Sendable>(
        _ items: [T], concurrency: Int, _ transform: @Sendable (T) throws -> R
    ) throws -> [R] {
        let results = Mutex<[R?]>(Array(repeating: nil, count: items.count))
        try run([(items.count, concurrency)]) { _, index in
            let result = try transform(items[index])
            results.withLock { $0[index] = result }
        }
        return results.withLock { $0.map { $0! } }
    }

    private static func run(_ lanes: [(count: Int, concurrency: Int)], _ body: @Sendable (_ lane: Int, _ index: Int) throws -> Void) throws {
        let workers = lanes.indices.flatMap { lane in Array(repeating: lane, count: min(max(lanes[lane].concurrency, 1), lanes[lane].count)) }
        let outer = CancellationScope.current
        let threaded = workers.count > 1 && !outer.isWithinWorkerPool
        let scope = CancellationScope(parent: outer, workerPool: threaded)
        let next = Mutex<[Int]>(Array(repeating: 0, count: lanes.count))
        let failures = Mutex<[(lane: Int, index: Int, error: any Error)]>([])
        let failed = Atomic<Bool>(false)
        let work: @Sendable (Int) -> Void = { lane in
            while !failed.load(ordering: .relaxed) {
                let index = next.withLock { next in defer { next[lane] += 1 }; return next[lane] }
                guard index < lanes[lane].count else { return }
                do {
                    try body(lane, index)
                } catch {
                    failed.store(true, ordering: .relaxed)
                    scope.cancel()
                    failures.withLock { $0.append((lane, index, error)) }
                }
            }
        }
        withoutActuallyEscaping(work) { work in
            scope.run {
                if threaded { runOnThreads(workers, in: scope, work) } else { for lane in lanes.indices { work(lane) } }
            }
        }
        scope.finish(cancelling: failed.load(ordering: .relaxed))
        let ordered = failures.withLock { $0 }.sorted { ($0.lane, $0.index) < ($1.lane, $1.index) }
        // A worker stopped by its scope (because another failed) reports `.cancelled`: the failure that stopped
        // it is the one to tell, unless the whole process was stopped.
        if let failure = ordered.first(where: { ($0.error as? OCIError)?.code != .cancelled }) ?? ordered.first {
            throw failure.error
        }
    }

    /// Runs `work(lane)` on a thread for each element of `lanes` and returns when all have finished (joined, so
    /// nothing keeps `work`). Lanes whose thread could not be started run on the calling thread.
    private static func runOnThreads(_ lanes: [Int], in scope: CancellationScope, _ work: @escaping @Sendable (Int) -> Void) {
        var threads: [JoinableThread] = []
        var unstarted: [Int] = []
        for lane in lanes {
            if let thread = JoinableThread({ scope.run { work(lane) } }) { threads.append(thread) } else { unstarted.append(lane) }
        }
        for lane in unstarted { work(lane) }
        for thread in threads { thread.join() }
    }
}
