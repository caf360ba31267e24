/// A real, minimal ONNX model (one operator from a float tensor to a float tensor of the same shape), written
/// as the protobuf bytes of an ONNX `ModelProto`, so that `edgepack init` can give a newcomer model files of a
/// known format without downloading any. onnx.checker accepts them (docs/getting-started.md).
enum TinyONNX {
    /// `op` is an ONNX operator of one input and one output (Identity, Relu, Sigmoid, …); `width` the tensor's size.
    static func model(graph name: String, op: String, width: Int) -> [UInt8] {
        let tensorType = Protobuf.message(1, Protobuf.varint(1, 1)  // elem_type FLOAT
            + Protobuf.message(2, Protobuf.message(1, Protobuf.varint(1, 1)) + Protobuf.message(1, Protobuf.varint(1, UInt64(width)))))
        func valueInfo(_ name: String) -> [UInt8] { Protobuf.string(1, name) + Protobuf.message(2, tensorType) }
        let node = Protobuf.string(1, "input") + Protobuf.string(2, "output") + Protobuf.string(3, "\(name)-\(op.lowercased())") + Protobuf.string(4, op)
        let graph = Protobuf.message(1, node) + Protobuf.string(2, name) + Protobuf.message(11, valueInfo("input")) + Protobuf.message(12, valueInfo("output"))
        return Protobuf.varint(1, 8)  // ir_version 8
            + Protobuf.string(2, "edgepack-init")
            + Protobuf.message(7, graph)
            + Protobuf.message(8, Protobuf.string(1, "") + Protobuf.varint(2, 13))  // opset ai.onnx 13
    }
}

/// The three protobuf wire encodings a ModelProto needs.
enum Protobuf {
    static func varint(_ field: Int, _ value: UInt64) -> [UInt8] { key(field, wire: 0) + leb128(value) }
    static func string(_ field: Int, _ text: String) -> [UInt8] { message(field, Array(text.utf8)) }
    static func message(_ field: Int, _ bytes: [UInt8]) -> [UInt8] { key(field, wire: 2) + leb128(UInt64(bytes.count)) + bytes }

    private static func key(_ field: Int, wire: UInt64) -> [UInt8] { leb128(UInt64(field) << 3 | wire) }

    private static func leb128(_ value: UInt64) -> [UInt8] {
        var value = value, out: [UInt8] = []
        repeat {
            let byte = UInt8(value & 0x7f)
            value >>= 7
            out.append(value == 0 ? byte : byte | 0x80)
        } while value != 0
        return out
    }
}
