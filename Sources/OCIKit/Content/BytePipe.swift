import Foundation

/// A bounded buffer of bytes between one writer thread and one reader thread (a download feeding an upload):
/// the writer waits while it is full, the reader while it is empty. The writer ends it with an outcome; a
/// reader that goes away makes the writer's next write fail (`.cancelled`), so the download stops too.
final class BytePipe: @unchecked Sendable {
    private let condition = NSCondition()
    private var storage: UnsafeMutableRawBufferPointer
    private var start = 0
    private var count = 0
    private var outcome: Result<Void, any Error>?
    private var readerGone = false
    private var readerWaits = false
    private var writerWaits = false

    init(capacity: Int) {
        storage = .allocate(byteCount: max(capacity, 1), alignment: 16)
    }

    deinit { storage.deallocate() }

    /// Copies all of `bytes` in, waiting for room as the reader takes bytes out.
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            try condition.withLock {
                while count == storage.count, !readerGone {
                    writerWaits = true
                    // A reader that stops for its scope's sake may never close: the writer looks at its own.
                    if !condition.wait(until: Date(timeIntervalSinceNow: 0.1)) { try Cancellation.check() }
                }
                writerWaits = false
                if readerGone { throw OCIError(.cancelled, "nothing reads this download any more") }
                let end = (start + count) % storage.count
                let room = min(storage.count - count, storage.count - end, bytes.count - offset)
                storage.baseAddress!.advanced(by: end).copyMemory(from: bytes.baseAddress!.advanced(by: offset), byteCount: room)
                count += room
                offset += room
                if readerWaits { condition.signal() }
            }
        }
    }

    /// The writer is done: every byte written (success) or not (failure). Readers drain what is left first.
    func finish(_ result: Result<Void, any Error>) {
        condition.withLock {
            if outcome == nil { outcome = result }
            condition.broadcast()
        }
    }

    /// Takes up to `buffer.count` bytes, waiting for some; 0 only once the writer has finished successfully and
    /// everything is read. A failed writer's error is thrown once what it wrote is read.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        try condition.withLock {
            while count == 0 {
                if let outcome {
                    try outcome.get()
                    return 0
                }
                readerWaits = true
                condition.wait()
            }
            readerWaits = false
            let taken = min(count, storage.count - start, buffer.count)
            buffer.baseAddress!.copyMemory(from: storage.baseAddress!.advanced(by: start), byteCount: taken)
            start = (start + taken) % storage.count
            count -= taken
            if writerWaits { condition.signal() }
            return taken
        }
    }

    /// Waits for the writer's outcome (its check of what it wrote), and throws its failure.
    func awaitOutcome() throws {
        try condition.withLock {
            while outcome == nil { condition.wait() }
            try outcome!.get()
        }
    }

    /// The reader stops reading: a waiting or later write fails.
    func closeReading() {
        condition.withLock {
            readerGone = true
            condition.broadcast()
        }
    }
}
