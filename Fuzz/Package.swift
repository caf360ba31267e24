// swift-tools-version:6.0
// libFuzzer harnesses, one per untrusted-input entry point. Built only by scripts/fuzz (with
// -sanitize=fuzzer), never by the main package's `swift build` or `swift test`.
import PackageDescription

let package = Package(
    name: "edgepack-fuzz",
    dependencies: [.package(name: "edgepack", path: "..")],
    targets: [
        .target(name: "FuzzDriver"),
        .executableTarget(name: "FuzzDefinition", dependencies: ["FuzzDriver", .product(name: "EdgepackKit", package: "edgepack")]),
        .executableTarget(name: "FuzzArrowType", dependencies: ["FuzzDriver", .product(name: "EdgepackKit", package: "edgepack")]),
        .executableTarget(name: "FuzzBundleTar", dependencies: ["FuzzDriver", .product(name: "OCIKit", package: "edgepack")]),
        .executableTarget(name: "FuzzManifest", dependencies: ["FuzzDriver", .product(name: "OCIKit", package: "edgepack")]),
        .executableTarget(name: "FuzzPullUnpack", dependencies: ["FuzzDriver", .product(name: "OCIKit", package: "edgepack")]),
    ],
    swiftLanguageModes: [.v6]
)
