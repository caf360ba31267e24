/// Coalesces small writes (tar headers) into large ones; large writes pass straight through.
public final class BufferedSink: ByteSink {
    private let downstream: any ByteSink
    private var buffer: [UInt8] = []
    private let capacity: Int

    public init(_ downstream: any ByteSink, capacity: Int = 1 << 16) {
        self.downstream = downstream
        self.capacity = capacity
        buffer.reserveCapacity(capacity)
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        if bytes.count >= capacity {
            try flush()
            try downstream.write(bytes)
        } else {
            if buffer.count + bytes.count > capacity { try flush() }
            buffer.append(contentsOf: bytes)
        }
    }

    public func flush() throws {
        guard !buffer.isEmpty else { return }
        try buffer.withUnsafeBytes { try downstream.write($0) }
        buffer.removeAll(keepingCapacity: true)
    }
}
