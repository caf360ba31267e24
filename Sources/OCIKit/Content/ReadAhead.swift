/// Runs a producer of bytes on a thread of its own and passes what it writes to `sink` on the calling thread,
/// through a bounded pipe: reading many files overlaps with hashing or writing what was read, as
/// `tar cf - DIR | sha256sum` overlaps on two cores. Returns once both sides are done; an error on either side
/// stops the other.
enum ReadAhead {
    static let bufferSize = 1 << 20

    static func run(into sink: any ByteSink, _ produce: @escaping @Sendable (any ByteSink) throws -> Void) throws {
        let pipe = BytePipe(capacity: bufferSize)
        let producer = try CancellationScope.current.spawn(name: "read-ahead") {
            pipe.finish(Result { try produce(BytePipeSink(pipe)) })
        }
        defer {
            pipe.closeReading()  // a producer still writing stops at its next write
            producer.join()
        }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 << 10, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = try pipe.read(into: buffer)
            if count == 0 { return }
            try sink.write(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
    }
}

/// The writing end of a `BytePipe` as a sink.
final class BytePipeSink: ByteSink {
    private let pipe: BytePipe
    init(_ pipe: BytePipe) { self.pipe = pipe }
    func write(_ bytes: UnsafeRawBufferPointer) throws { try pipe.write(bytes) }
}
