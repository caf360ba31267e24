#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// A stop request for one piece of work (a copy, a pool of `Parallel` workers) and the threads it started.
/// A scope is cancelled when it is cancelled itself or when its parent is; the root, `process`, is cancelled
/// by Ctrl-C and SIGTERM (`Cancellation.request`). So a failed copy stops the rest of its own workers,
/// downloads and read-aheads without stopping the process, and a signal stops everything.
///
/// Each thread has a current scope (`current`, the root unless set with `run`), which `Cancellation.check`,
/// `Cancellation.sleep` and curl's progress callback consult; threads started with `spawn` run in the scope
/// that started them, and its owner waits for them all (`finish`), so none outlives the work.
public final class CancellationScope: Sendable {
    /// The process's scope: cancelled only by a signal.
    public static let process = CancellationScope(root: ())

    public let parent: CancellationScope?
    /// A scope whose threads are a `Parallel` pool's workers: a `Parallel` call within it runs inline.
    let isWorkerPool: Bool
    private let cancelled = Atomic<Bool>(false)
    private let threads = Mutex<[JoinableThread]>([])

    private init(root: Void) {
        parent = nil
        isWorkerPool = false
    }

    /// A scope within `parent` (by default the calling thread's current scope).
    public convenience init(parent: CancellationScope = .current) {
        self.init(parent: parent, workerPool: false)
    }

    init(parent: CancellationScope, workerPool: Bool) {
        self.parent = parent
        isWorkerPool = workerPool
    }

    /// The calling thread's scope.
    public static var current: CancellationScope {
        guard let raw = pthread_getspecific(currentScopeKey) else { return process }
        return Unmanaged<CancellationScope>.fromOpaque(raw).takeUnretainedValue()
    }

    public var isCancelled: Bool {
        var scope: CancellationScope? = self
        while let each = scope {
            if each.cancelled.load(ordering: .relaxed) { return true }
            scope = each.parent
        }
        return Cancellation.isRequested
    }

    /// True when this scope or one it is within is a `Parallel` pool's.
    var isWithinWorkerPool: Bool {
        var scope: CancellationScope? = self
        while let each = scope {
            if each.isWorkerPool { return true }
            scope = each.parent
        }
        return false
    }

    /// Asks everything in this scope (and the scopes within it) to stop.
    public func cancel() { cancelled.store(true, ordering: .relaxed) }

    /// Throws `OCIError(.cancelled)` once this scope is cancelled.
    public func check() throws {
        if let number = Cancellation.requestedSignal { throw OCIError(.cancelled, "stopped by signal \(number)") }
        if isCancelled { throw OCIError(.cancelled, "stopped: another part of the same work failed") }
    }

    /// Sleeps, waking early (and throwing) when this scope is cancelled.
    public func sleep(seconds: Double) throws {
        var remaining = seconds
        while remaining > 0 {
            try check()
            let step = min(remaining, 0.05)
            usleep(useconds_t(step * 1_000_000))
            remaining -= step
        }
        try check()
    }

    /// Runs `body` with this scope as the calling thread's current one.
    public func run<R>(_ body: () throws -> R) rethrows -> R {
        let previous = pthread_getspecific(currentScopeKey)
        pthread_setspecific(currentScopeKey, Unmanaged.passUnretained(self).toOpaque())
        defer { pthread_setspecific(currentScopeKey, previous) }
        return try body()
    }

    /// Starts `body` on a thread of its own, in this scope; the scope's owner waits for it (`finish`), and so may
    /// the caller (`join`). In the process's scope no one owns it: the caller must join it or let it end alone.
    @discardableResult
    func spawn(name: String, _ body: @escaping @Sendable () -> Void) throws -> JoinableThread {
        guard let thread = JoinableThread(name: name, { self.run(body) }) else {
            throw OCIError(.io, "could not start a thread: \(String(cString: strerror(errno)))")
        }
        if parent != nil { threads.withLock { $0.append(thread) } }
        return thread
    }

    /// The work this scope was made for is over: waits for every thread it started, stopping them first when
    /// `cancelling` (the work failed). A download that succeeded goes on to its end (into the blob cache).
    func finish(cancelling: Bool) {
        if cancelling { cancel() }
        while true {
            let started = threads.withLock { threads in defer { threads = [] }; return threads }
            if started.isEmpty { return }
            for thread in started { thread.join() }
        }
    }
}

private let currentScopeKey: pthread_key_t = {
    var key = pthread_key_t()
    pthread_key_create(&key, nil)
    return key
}()
