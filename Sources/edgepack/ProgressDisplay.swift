import Foundation
import OCIKit

/// Progress on stderr while content moves.
/// - On a terminal: a line per blob in flight (name, bytes of total, percentage, rate, time left) and an overall
///   line with a bar, redrawn five times a second, with a plain line per finished blob and tag scrolling above;
///   the overall line ends at 100%.
/// - Not a terminal, or CI=true, or TERM=dumb: only the plain lines. With --quiet: nothing.
/// Rates are averaged from the first byte moved, so they do not decay while a registry finishes a blob.
final class ProgressDisplay: @unchecked Sendable {
    private struct Transfer {
        var name: String
        var total: Int64
        var done: Int64 = 0
        let started = Date()
    }

    private let quiet: Bool
    private let plainLines: Bool
    private let isTerminal: Bool
    private let lock = NSLock()
    private var label = ""
    private var total: Int64 = 0
    private var done: Int64 = 0
    private var moved: Int64 = 0
    private var firstByte: Date?
    private var inFlight: [(OCIKit.Digest, Transfer)] = []
    private var drawnLines = 0
    private var timer: DispatchSourceTimer?
    /// For work counted elsewhere (a download's bytes): read at each redraw.
    private var polled: (@Sendable () -> Int64)?

    /// `plainLines: false` shows only the live lines on a terminal (for commands whose output is elsewhere).
    init(quiet: Bool, plainLines: Bool = true) {
        let environment = ProcessInfo.processInfo.environment
        self.quiet = quiet
        self.plainLines = plainLines
        isTerminal = !quiet && isatty(STDERR_FILENO) == 1 && environment["CI"] != "true" && environment["TERM"] != "dumb"
    }

    /// With --quiet: nothing is shown, so nothing needs measuring.
    var isQuiet: Bool { quiet }

    /// Starts a phase of `total` bytes of work (every blob's size: those already there count as done when found).
    /// `polling` reads the work done from a counter instead of from copy events.
    func start(_ label: String, total: Int64, polling: (@Sendable () -> Int64)? = nil) {
        lock.withLock {
            self.label = label
            self.total = total
            polled = polling
            done = 0
            moved = 0
            firstByte = nil
            inFlight = []
        }
        guard isTerminal, timer == nil else { return }
        let timer = DispatchSource.makeTimerSource(queue: .global())
        timer.schedule(deadline: .now(), repeating: .milliseconds(200))
        timer.setEventHandler { [weak self] in self?.redraw() }
        timer.resume()
        self.timer = timer
    }

    /// Work done outside the copier (hashing), counted like bytes moved.
    func advance(_ bytes: Int64) {
        lock.withLock {
            if firstByte == nil { firstByte = Date() }
            done += bytes
            moved += bytes
        }
    }

    var onEvent: @Sendable (CopyEvent) -> Void {
        { [self] event in
            guard !quiet else { return }
            switch event {
            case .blobStarted(let descriptor, _):
                lock.withLock { inFlight.append((descriptor.digest, Transfer(name: Self.name(of: descriptor), total: descriptor.size))) }
            case .blobBytes(let digest, let count):
                lock.withLock {
                    if firstByte == nil { firstByte = Date() }
                    done += count
                    moved += count
                    if let index = inFlight.firstIndex(where: { $0.0 == digest }) { inFlight[index].1.done += count }
                }
            case .blob(let descriptor, let repository, let outcome):
                let verb = switch outcome {
                case .existed: "exists  "
                case .mounted: "mounted "
                case .copied: "uploaded"
                }
                lock.withLock {
                    if outcome == .existed || outcome == .mounted { done += descriptor.size }
                    inFlight.removeAll { $0.0 == descriptor.digest }
                }
                emit("\(verb) \(descriptor.digest.encoded.prefix(12)) \(ByteCount.format(descriptor.size).padding(toLength: 10, withPad: " ", startingAt: 0)) \(repository)")
            case .manifest(let reference, let digest, let written):
                emit("\(written ? "tagged  " : "tag ok  ") \(digest.encoded.prefix(12)) \(reference)")
            }
        }
    }

    /// Clears the live lines and, on a terminal, leaves the overall line at its final state.
    func stop() {
        guard let timer else { return }
        timer.cancel()
        self.timer = nil
        lock.withLock {
            if let polled { moved = polled() }
            polled = nil
            inFlight = []
            done = max(done, total)
            let final = overallLine(now: Date())
            write(clearBlock() + final + "\n")
            drawnLines = 0
        }
    }

    private func emit(_ line: String) {
        guard plainLines else { return }
        lock.withLock {
            if isTerminal {
                write(clearBlock() + line + "\n" + block(now: Date()))
            } else {
                write(line + "\n")
            }
        }
    }

    private func redraw() {
        lock.withLock {
            if let polled {
                let now = polled()
                if firstByte == nil, now > 0 { firstByte = Date() }
                done = now
                moved = now
            }
            write(clearBlock() + block(now: Date()))
        }
    }

    /// Must hold the lock. Moves up over the lines drawn last time and clears them.
    private func clearBlock() -> String {
        defer { drawnLines = 0 }
        guard drawnLines > 0 else { return "" }
        return "\r\u{1b}[2K" + String(repeating: "\u{1b}[1A\u{1b}[2K", count: drawnLines - 1)
    }

    /// Must hold the lock. The blobs in flight, then the overall line (no newline after it).
    private func block(now: Date) -> String {
        let lines = inFlight.map { transferLine($0.1, now: now) } + [overallLine(now: now)]
        drawnLines = lines.count
        return lines.joined(separator: "\n")
    }

    private func transferLine(_ transfer: Transfer, now: Date) -> String {
        let rate = Double(transfer.done) / max(now.timeIntervalSince(transfer.started), 0.001)
        let name = transfer.name.count > 24 ? String(transfer.name.prefix(23)) + "…" : transfer.name.padding(toLength: 24, withPad: " ", startingAt: 0)
        return "  \(name) \(ByteCount.format(transfer.done)) / \(ByteCount.format(transfer.total))  \(Self.percent(transfer.done, transfer.total))  \(ByteCount.format(Int64(rate)))/s  ETA \(Self.eta(transfer.total - transfer.done, rate))"
    }

    private func overallLine(now: Date) -> String {
        let elapsed = firstByte.map { max(now.timeIntervalSince($0), 0.001) } ?? 0
        let rate = elapsed > 0 ? Double(moved) / elapsed : 0
        let fraction = total > 0 ? min(Double(done) / Double(total), 1) : 1
        let filled = Int(fraction * 24)
        let bar = "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: 24 - filled) + "]"
        return "\(label) \(bar) \(Self.percent(done, total))  \(ByteCount.format(min(done, total))) / \(ByteCount.format(total))  \(ByteCount.format(Int64(rate)))/s  ETA \(Self.eta(total - done, rate))"
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    static func percent(_ done: Int64, _ total: Int64) -> String {
        let value = total > 0 ? min(100, Int(Double(done) * 100 / Double(total))) : 100
        return "\(value)%".padding(toLength: 4, withPad: " ", startingAt: 0)
    }

    static func eta(_ remaining: Int64, _ rate: Double) -> String {
        guard remaining > 0 else { return "0s" }
        guard rate > 1 else { return "--" }
        let seconds = Int((Double(remaining) / rate).rounded(.up))
        return seconds >= 3600 ? "\(seconds / 3600)h\(seconds % 3600 / 60)m" : seconds >= 60 ? "\(seconds / 60)m\(seconds % 60)s" : "\(seconds)s"
    }

    /// A blob as people know it: its file name, or what kind of blob it is.
    static func name(of descriptor: Descriptor) -> String {
        if let title = descriptor.annotations?[AnnotationKey.title] ?? descriptor.annotations?["filename"] { return title }
        return "\(descriptor.mediaType.split(separator: "/").last.map(String.init) ?? "blob") \(descriptor.digest.encoded.prefix(12))"
    }
}
