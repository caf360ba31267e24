import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A process-wide stop request (Ctrl-C, SIGTERM). Long-running work checks it between reads, writes,
/// requests and retry pauses, and unwinds with `OCIError(.cancelled)`, so temporary files are removed on the
/// way out and nothing is tagged.
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

    /// Throws `OCIError(.cancelled)` once a stop was requested.
    public static func check() throws {
        if let number = requestedSignal {
            throw OCIError(.cancelled, "stopped by signal \(number)")
        }
    }

    /// Sleeps, waking early (and throwing) when a stop is requested.
    public static func sleep(seconds: Double) throws {
        var remaining = seconds
        while remaining > 0 {
            try check()
            let step = min(remaining, 0.05)
            usleep(useconds_t(step * 1_000_000))
            remaining -= step
        }
        try check()
    }
}
