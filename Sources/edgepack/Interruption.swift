import Dispatch
import Foundation
import OCIKit
import Synchronization

/// Ctrl-C and SIGTERM: the first asks every transfer to stop (temporary files are removed on the way out and
/// nothing is tagged), and the command exits 130 or 143; a second one exits at once.
enum Interruption {
    private nonisolated(unsafe) static var sources: [DispatchSourceSignal] = []
    /// Set while the command waits in a read no stop request can end (standard input): a signal exits at once.
    private static let waitingUninterruptibly = Atomic<Bool>(false)

    static func install() {
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                if Cancellation.isRequested { exit(128 + number) }
                Cancellation.request(signal: number)
                if waitingUninterruptibly.load(ordering: .acquiring) { exitIfRequested() }
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Runs `body` (a blocking read that never checks for a stop request) so that Ctrl-C or SIGTERM exits at once.
    static func exitingAtOnce<T>(_ body: () throws -> T) rethrows -> T {
        waitingUninterruptibly.store(true, ordering: .releasing)
        defer { waitingUninterruptibly.store(false, ordering: .releasing) }
        exitIfRequested()
        return try body()
    }

    /// Exits with 128 + the signal if a stop was requested (whatever error the stop surfaced as).
    static func exitIfRequested() {
        guard let number = Cancellation.requestedSignal else { return }
        FileHandle.standardError.write(Data("edgepack: stopped (\(number == SIGINT ? "interrupted" : "terminated")); nothing half-written was left\n".utf8))
        exit(128 + number)
    }
}
