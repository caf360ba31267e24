import Synchronization

/// The process-wide stop request (Ctrl-C, SIGTERM), which cancels every `CancellationScope`. Long-running work
/// checks its thread's scope between reads, writes, requests and retry pauses (`check`, `sleep`), and unwinds
/// with `OCIError(.cancelled)`, so temporary files are removed on the way out and nothing is tagged.
public enum Cancellation {
    private static let signal = Atomic<Int32>(0)

    /// Asks everything in flight to stop; `signal` is the number the process exits with (128 + signal).
    public static func request(signal number: Int32) {
        _ = signal.compareExchange(expected: 0, desired: number, ordering: .relaxed)
    }

    /// The signal that asked to stop, if any.
    public static var requestedSignal: Int32? {
        let number = signal.load(ordering: .relaxed)
        return number == 0 ? nil : number
    }

    public static var isRequested: Bool { requestedSignal != nil }

    /// Throws `OCIError(.cancelled)` once the calling thread's scope is cancelled (a signal cancels them all).
    public static func check() throws { try CancellationScope.current.check() }

    /// Sleeps, waking early (and throwing) when the calling thread's scope is cancelled.
    public static func sleep(seconds: Double) throws { try CancellationScope.current.sleep(seconds: seconds) }
}
