import Foundation
import Testing
import TestSupport

/// libcurl and libarchive are opened at first use, not when the process starts (CDeferredLibraries).
@Suite struct DeferredLibrariesTests {
    @Test func theBinaryStartsWithoutLibcurlOrLibarchive() throws {
        let ldd = try run("ldd", [edgepackBinary])
        #expect(ldd.succeeded, "\(ldd.stderr)")
        #expect(ldd.stdout.contains("libcrypto.so"), "ldd listed nothing recognisable: \(ldd.stdout)")
        for library in ["libcurl.so", "libarchive.so", "libgnutls.so", "libxml2.so"] {
            #expect(!ldd.stdout.contains(library), "\(library) is loaded at start:\n\(ldd.stdout)")
        }
    }

    /// A binary looking for a libcurl that is not there still starts, and the first command that needs it says
    /// what to install, in one line, and leaves no output behind.
    @Test func aMissingLibrarySaysWhichToInstall() throws {
        let dir = try TemporaryDirectory()
        let binary = dir.file("edgepack")
        var bytes = try Data(contentsOf: URL(fileURLWithPath: edgepackBinary))
        let soname = Data("libcurl.so.4\0".utf8), missing = Data("libcurl.so.0\0".utf8)
        let found = try #require(bytes.range(of: soname), "the binary does not name libcurl.so.4")
        bytes.replaceSubrange(found, with: missing)
        #expect(bytes.range(of: soname) == nil)
        try bytes.write(to: URL(fileURLWithPath: binary))
        #expect(chmod(binary, 0o755) == 0)

        let version = try run(binary, ["--version"])
        #expect(version.succeeded, "\(version.stderr)")
        let pull = try run(binary, ["pull", "127.0.0.1:1/deferred/pipelines/p:1", "-o", dir.file("out")],
                           environment: ["DOCKER_CONFIG": dir.file("docker"), "EDGEPACK_CACHE_DIR": dir.file("cache")])
        #expect(pull.status == 1)
        #expect(pull.stderr.hasPrefix("edgepack: error: cannot load libcurl.so.0 ("), "\(pull.stderr)")
        #expect(pull.stderr.hasSuffix("); install libcurl (Debian and Ubuntu: libcurl4)\n"), "\(pull.stderr)")
        #expect(pull.stderr.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: dir.file("out")))
    }
}
