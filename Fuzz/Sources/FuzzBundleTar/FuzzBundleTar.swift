import FuzzDriver
import Foundation
import OCIKit

/// Each input is written to one scratch file and opened as an offline bundle: the tar index, the entry and
/// index checks, then every artifact (manifests decoded and checked, blob ranges looked up) and verification.
let scratch = NSTemporaryDirectory() + "edgepack-fuzz-bundle-\(getpid()).tar"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBundleTar(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard FileManager.default.createFile(atPath: scratch, contents: Data(bytes: data, count: size)) else { fatalError("cannot write \(scratch)") }
    if let bundle = try? ImageLayoutBundle(path: scratch) {
        _ = try? bundle.summaries()
        try? bundle.verify()
    }
    return 0
}

@_cdecl("FuzzBundleTar_main")
public func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    edgepack_fuzz_main(argc, argv)
}
