import Dispatch
import Foundation
import OCIKit

/// Ctrl-C and SIGTERM: the first asks every transfer to stop (temporary files are removed on the way out and
/// nothing is tagged), and the command exits 130 or 143; a second one exits at once.
enum Interruption {
    private nonisolated(unsafe) static var sources: [DispatchSourceSignal] = []

    static func install() {
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                if Cancellation.isRequested { exit(128 + number) }
                Cancellation.request(signal: number)
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Exits with 128 + the signal if a stop was requested (whatever error the stop surfaced as).
    static func exitIfRequested() {
        guard let number = Cancellation.requestedSignal else { return }
        FileHandle.standardError.write(Data("edgepack: stopped (\(number == SIGINT ? "interrupted" : "terminated")); nothing half-written was left\n".utf8))
        exit(128 + number)
    }
}
