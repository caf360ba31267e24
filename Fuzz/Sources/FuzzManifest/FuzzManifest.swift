import FuzzDriver
import OCIKit

/// The JSON a registry or a bundle hands over: decoded as a manifest and as an index, then put through the
/// checks a bundle's content gets (names, path-like annotations).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzManifest(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let manifest = try? CanonicalJSON.decode(Manifest.self, from: bytes, what: "fuzz") {
        try? BundleValidation.checkManifest(manifest, where: "fuzz")
        _ = try? CanonicalJSON.encode(manifest)
    }
    if let index = try? CanonicalJSON.decode(Index.self, from: bytes, what: "fuzz") {
        try? BundleValidation.checkIndex(index, bundle: "fuzz")
        for entry in index.manifests { _ = try? ReferenceName(parsing: entry.annotations?["org.opencontainers.image.ref.name"] ?? "") }
    }
    _ = try? ImageReference(parsing: String(decoding: bytes, as: UTF8.self))
    return 0
}

@_cdecl("FuzzManifest_main")
public func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    edgepack_fuzz_main(argc, argv)
}
