import FuzzDriver
import EdgepackKit

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzArrowType(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = ArrowType.problem(in: String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self))
    return 0
}

@_cdecl("FuzzArrowType_main")
public func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    edgepack_fuzz_main(argc, argv)
}
