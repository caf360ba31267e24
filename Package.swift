// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "edgepack",
    // Linux only (Glibc, libcurl, libarchive, libcrypto from the system); no other platform is claimed.
    products: [
        .executable(name: "edgepack", targets: ["edgepack"]),
        .library(name: "OCIKit", targets: ["OCIKit"]),
        // For the fuzz harnesses in Fuzz/ (built by scripts/fuzz).
        .library(name: "EdgepackKit", targets: ["EdgepackKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    ],
    targets: [
        .systemLibrary(name: "CArchive", providers: [.apt(["libarchive-dev"])]),
        .systemLibrary(name: "CLibCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CCurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        // libcurl's and libarchive's functions, each loading its library at first use (CCurl and CArchive do
        // not link them): commands that need neither start without their dependency trees.
        .target(name: "CDeferredLibraries", dependencies: ["CCurl", "CArchive"]),
        // OCI only: digests, descriptors, manifests, layouts, archives, registry client, auth.
        .target(name: "OCIKit", dependencies: ["CArchive", "CLibCrypto", "CCurl", "CDeferredLibraries"]),
        // Pipelines: the edgepack.yaml definition and the artifacts, chart and compose built from it.
        .target(
            name: "EdgepackKit",
            dependencies: ["OCIKit", .product(name: "Yams", package: "Yams")]
        ),
        .executableTarget(
            name: "edgepack",
            dependencies: ["EdgepackKit", "OCIKit", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            // The toolchain's lld: GNU ld warns about glibc's mktemp inside the static Foundation of
            // --static-swift-stdlib builds (nothing edgepack calls), and a release build should print no warnings.
            linkerSettings: [.unsafeFlags(["-use-ld=lld"], .when(platforms: [.linux]))]
        ),
        .target(name: "TestSupport", dependencies: ["OCIKit"], path: "Tests/TestSupport"),
        .testTarget(name: "OCIKitTests", dependencies: ["OCIKit", "TestSupport"]),
        .testTarget(name: "EdgepackKitTests", dependencies: ["EdgepackKit", "OCIKit", "TestSupport"]),
        // Runs the built `edgepack` binary as users and CI do, and judges its output with skopeo and bsdtar.
        .testTarget(
            name: "EdgepackCLITests",
            dependencies: ["edgepack", "EdgepackKit", "OCIKit", "TestSupport", .product(name: "Yams", package: "Yams")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
