#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

/// A thread of our own (a pthread, so blocking I/O stays off Swift's cooperative pool) that its owner waits for
/// with `join`. One dropped without a join is detached, so it never holds on to its resources.
final class JoinableThread: Sendable {
    private let handle: Mutex<pthread_t?>

    /// Starts `body` on a new thread named `name` (what `ps -T` and /proc/self/task/*/comm show, 15 bytes at
    /// most); nil when the system would not make one.
    init?(name: String? = nil, _ body: @escaping @Sendable () -> Void) {
        final class Body { let run: @Sendable () -> Void; init(_ run: @escaping @Sendable () -> Void) { self.run = run } }
        let named: @Sendable () -> Void = if let name {
            {
                Thread.current.name = String(name.utf8.prefix(15))!  // sets the system thread's name too
                body()
            }
        } else { body }
        let context = Unmanaged.passRetained(Body(named))
        var thread = pthread_t()
        let started = pthread_create(&thread, nil, { raw in
            Unmanaged<Body>.fromOpaque(raw!).takeRetainedValue().run()
            return nil
        }, context.toOpaque())
        guard started == 0 else {
            context.release()
            return nil
        }
        handle = Mutex(thread)
    }

    /// Waits for the thread to end (at once if it has, or was already joined).
    func join() {
        guard let thread = handle.withLock({ $0.take() }) else { return }
        pthread_join(thread, nil)
    }

    deinit {
        if let thread = handle.withLock({ $0.take() }) { pthread_detach(thread) }
    }
}
