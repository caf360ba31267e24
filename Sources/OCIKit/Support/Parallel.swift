#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Synchronization

/// Bounded parallelism for blocking work (file I/O and hashing), off Swift's cooperative thread pool.
public enum Parallel {
    /// Runs `body` for every element, at most `concurrency` at a time; the first error is rethrown.
    public static func forEach<T: Sendable>(_ items: [T], concurrency: Int, _ body: @Sendable (T) throws -> Void) throws {
        _ = try map(items, concurrency: concurrency, body)
    }

    /// Applies `transform` to every element, at most `concurrency` at a time; results keep the input order.
    /// The first error thrown (by input order) is rethrown once all work has stopped.
    public static func map<T: Sendable, R: Sendable>(
        _ items: [T], concurrency: Int, _ transform: @Sendable (T) throws -> R
    ) throws -> [R] {
        if items.count <= 1 || concurrency <= 1 { return try items.map(transform) }
        let results = Mutex<[Result<R, any Error>?]>(Array(repeating: nil, count: items.count))
        let next = Atomic<Int>(0)
        let failed = Atomic<Bool>(false)
        // Threads of our own rather than concurrentPerform, which runs no more iterations at once than there
        // are cores: transfers wait on the network, and `concurrency` of them must really run at once.
        let work: @Sendable () -> Void = {
            while !failed.load(ordering: .relaxed) {
                let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
                guard index < items.count else { return }
                let result = Result { try transform(items[index]) }
                if case .failure = result { failed.store(true, ordering: .relaxed) }
                results.withLock { $0[index] = result }
            }
        }
        withoutActuallyEscaping(work) { work in
            runOnThreads(min(concurrency, items.count), work)
        }
        return try results.withLock { slots in
            if let failure = slots.lazy.compactMap({ $0 }).first(where: { if case .failure = $0 { true } else { false } }) {
                _ = try failure.get()
            }
            return try slots.map { try $0!.get() }
        }
    }

    /// Runs `work` on `count` threads and returns when all have finished (joined, so nothing keeps `work`).
    private static func runOnThreads(_ count: Int, _ work: @escaping @Sendable () -> Void) {
        final class Work { let body: @Sendable () -> Void; init(_ body: @escaping @Sendable () -> Void) { self.body = body } }
        let context = Unmanaged.passRetained(Work(work))
        defer { context.release() }
        var threads: [pthread_t] = []
        for _ in 0..<count {
            var thread = pthread_t()
            let started = pthread_create(&thread, nil, { raw in
                Unmanaged<Work>.fromOpaque(raw!).takeUnretainedValue().body()
                return nil
            }, context.toOpaque())
            if started == 0 { threads.append(thread) }
        }
        if threads.isEmpty { work() }
        for thread in threads { pthread_join(thread, nil) }
    }
}
