import Foundation
import Testing
import TestSupport

/// An air-gapped builder (issue 25): with the engine's manifests and blobs in the blob cache, `export --offline`
/// resolves a tag as it last resolved, and a digest-pinned engine needs no network even without the flag. The
/// source is a registry of the test's own (`edgepack registry up`), stopped before the offline runs, so any
/// request to it would fail.
@Suite struct OfflineBuildTests {
    let image = TestImage.shared

    func definition(_ dir: TemporaryDirectory, _ name: String, engine: String) throws -> String {
        _ = try dir.write("\(name)/m.onnx", "model bytes of the offline pipeline")
        return try dir.write("\(name)/edgepack.yaml", """
            name: offline
            engine:
              image: \(engine)
            deployment:
              arch: x86
            models:
              - {name: m, path: m.onnx, framework: onnx}
            steps:
              - model: m
            """)
    }

    func bytes(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

    @Test func exportWithTheSourceStoppedReadsTheCacheAndGivesTheSameBundle() throws {
        let dir = try TemporaryDirectory()
        let state = dir.file("source-registry")
        let port = try LocalRegistryTests.freePort()
        let up = try edgepack(["registry", "up", "--state", state, "--port", "\(port)"])
        defer { _ = try? edgepack(["registry", "down", "--state", state]) }
        #expect(up.status == 0, "\(up.stderr)")
        let password = try String(contentsOfFile: state + "/password", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let source = "localhost:\(port)/vendor/engine"
        let pushed = try run("skopeo", ["copy", "-q", "--all", "--preserve-digests", "--dest-tls-verify=false", "--dest-creds", "edgepack:\(password)",
                                        "oci:\(image.directory)/oci:v1", "docker://\(source):v1"])
        try #require(pushed.succeeded, "\(pushed.stderr)")

        let tagged = try definition(dir, "tagged", engine: "\(source):v1")
        let pinned = try definition(dir, "pinned", engine: "\(source)@\(image.summary.index)")
        let credentials = ["EDGEPACK_SOURCE_USERNAME": "edgepack", "EDGEPACK_SOURCE_PASSWORD": password]
        let warm = credentials.merging(["EDGEPACK_CACHE_DIR": dir.file("cache")]) { $1 }
        let empty = credentials.merging(["EDGEPACK_CACHE_DIR": dir.file("empty-cache")]) { $1 }
        let first = try edgepack(["export", tagged, "-o", dir.file("online.tar"), "-q"], environment: warm)
        try #require(first.succeeded, "\(first.stderr)")
        // The pinned pipeline's reference bundle straight from the registry, the cache left out.
        let pinnedOnline = try edgepack(["export", pinned, "-o", dir.file("pinned-online.tar"), "-q", "--no-cache"], environment: empty)
        try #require(pinnedOnline.succeeded, "\(pinnedOnline.stderr)")
        let record = try #require(FileManager.default.contentsOfDirectory(atPath: dir.file("cache/blobs/tags")).first)
        #expect(try FileManager.default.attributesOfItem(atPath: dir.file("cache/blobs/tags/\(record)"))[.posixPermissions] as? Int == 0o600)

        let down = try edgepack(["registry", "down", "--state", state])
        try #require(down.status == 0, "\(down.stderr)")

        let offline = try edgepack(["export", tagged, "-o", dir.file("offline.tar"), "--offline"], environment: warm)
        #expect(offline.succeeded, "\(offline.stderr)")
        #expect(bytes(dir.file("offline.tar")) == bytes(dir.file("online.tar")), "the offline bundle is byte-identical to the online one")
        #expect(offline.stderr.contains("note: \(source):v1 is \(image.summary.index) as resolved at "), "\(offline.stderr)")
        // The source's signatures and referrers were not looked for: said once, never silently dropped.
        let notLookedFor = "note: \(source):v1 read from the blob cache: signatures and referrers beside it in the source registry were not looked for and are not carried"
        #expect(offline.stderr.components(separatedBy: notLookedFor).count == 2, "\(offline.stderr)")

        let plainPinned = try edgepack(["export", pinned, "-o", dir.file("pinned-offline.tar"), "-q"], environment: warm)
        #expect(plainPinned.succeeded, "a digest-pinned engine in the cache needs no network: \(plainPinned.stderr)")
        #expect(bytes(dir.file("pinned-offline.tar")) == bytes(dir.file("pinned-online.tar")))

        // A tag is not trusted from the cache unless --offline says so: without it the registry is asked.
        let plainTagged = try edgepack(["export", tagged, "-o", dir.file("stale.tar"), "-q"], environment: warm)
        #expect(plainTagged.status == 1 && plainTagged.stderr.contains("image \(source):v1: "), "\(plainTagged.stderr)")

        let inspected = try edgepack(["inspect", dir.file("offline.tar")], environment: warm)
        #expect(inspected.succeeded && inspected.stdout.contains("engine:v1 came from \(source):v1, resolved at 20"), "\(inspected.stdout)\(inspected.stderr)")

        // With an empty cache both fail in one line naming the image, and write no bundle.
        let cold = try edgepack(["export", tagged, "-o", dir.file("cold.tar"), "--offline"], environment: empty)
        #expect(cold.status == 1, "\(cold.stderr)")
        #expect(cold.stderr == "edgepack: error: image \(source):v1: its tag v1 was never resolved with the network here (no record in the blob cache): "
            + "run once with the network (without --offline) to fill the blob cache, or set engine.source (or the sidekick's source) to a local copy "
            + "(oci-archive:PATH, oci:DIR or docker-archive:PATH)\n")
        let coldPinned = try edgepack(["export", pinned, "-o", dir.file("cold.tar")], environment: empty)
        #expect(coldPinned.status == 1 && coldPinned.stderr.hasPrefix("edgepack: error: image \(source)@\(image.summary.index): "), "\(coldPinned.stderr)")
        #expect(coldPinned.stderr.split(separator: "\n").count == 1, "\(coldPinned.stderr)")
        let coldPinnedOffline = try edgepack(["export", pinned, "-o", dir.file("cold.tar"), "--offline"], environment: empty)
        #expect(coldPinnedOffline.status == 1 && coldPinnedOffline.stderr.contains("its manifest \(image.summary.index) is not in the blob cache"), "\(coldPinnedOffline.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.file("cold.tar")))
    }

    /// A layer the cache lost is named (offline), and --offline without a cache is a usage error.
    @Test func aMissingLayerIsNamedAndOfflineNeedsTheCache() throws {
        let dir = try TemporaryDirectory()
        let environment = ["EDGEPACK_SOURCE_USERNAME": "reader", "EDGEPACK_SOURCE_PASSWORD": "reader-pass", "EDGEPACK_CACHE_DIR": dir.file("cache")]
        let tagged = try definition(dir, "tagged", engine: "\(image.upstream):v1")
        let first = try edgepack(["export", tagged, "-o", dir.file("online.tar"), "-q"], environment: environment)
        try #require(first.succeeded, "\(first.stderr)")
        let amd64 = try #require(image.summary.platforms["linux/amd64"])
        let manifest = try #require(bytes(dir.file("cache/blobs/sha256/\(amd64.manifest.dropFirst("sha256:".count))")))
        let layers = try #require((try JSONSerialization.jsonObject(with: manifest) as? [String: Any])?["layers"] as? [[String: Any]])
        let lost = try #require(layers.last?["digest"] as? String)
        try FileManager.default.removeItem(atPath: dir.file("cache/blobs/sha256/\(lost.dropFirst("sha256:".count))"))

        let offline = try edgepack(["export", tagged, "-o", dir.file("offline.tar"), "--offline"], environment: environment)
        #expect(offline.status == 1 && offline.stderr.hasPrefix("edgepack: error: image \(image.upstream):v1: its blob \(lost) is not in the blob cache: run once with the network"),
                "\(offline.stderr)")
        #expect(offline.stderr.split(separator: "\n").count == 1 && !FileManager.default.fileExists(atPath: dir.file("offline.tar")))

        let noCache = try edgepack(["export", tagged, "-o", dir.file("offline.tar"), "--offline", "--no-cache"], environment: environment)
        #expect(noCache.status == 64 && noCache.stderr.contains("--offline reads images from the blob cache: drop --no-cache"), "\(noCache.stderr)")
    }
}
