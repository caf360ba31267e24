import FuzzDriver
import EdgepackKit
import Foundation

/// Model paths resolve against the ccfraud fixture (Fuzz/Sources/FuzzDefinition/ is four levels below the
/// repository), so the path checks run on real files.
let fixtureFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().path

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDefinition(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    do {
        _ = try DefinitionLoader.parse(text, file: "fuzz.yaml", baseDirectory: fixtureFolder + "/fixtures/ccfraud")
    } catch let error as DefinitionError {
        // Every message is one line.
        for diagnostic in error.diagnostics where diagnostic.description.contains("\n") { fatalError("multi-line message: \(diagnostic)") }
    } catch {}
    return 0
}

@_cdecl("FuzzDefinition_main")
public func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    edgepack_fuzz_main(argc, argv)
}
