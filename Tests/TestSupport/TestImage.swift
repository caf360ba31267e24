import Foundation

/// A random two-platform image made by scripts/make-test-image, pushed with skopeo to the "source"
/// registry (a harness of its own, token auth) and to the destination registry (for mounts).
public struct TestImage: Sendable {
    public struct PlatformImage: Decodable, Sendable { public var manifest: String; public var config: String; public var size: Int64 }
    public struct Summary: Decodable, Sendable {
        public var index: String
        public var size: Int64
        public var platforms: [String: PlatformImage]
        public var docker_archive: DockerArchiveSummary
        public struct DockerArchiveSummary: Decodable, Sendable { public var config: String }
    }
    /// Holds `oci/` (layout, ref v1), `image.tar` (oci-archive) and `docker.tar` (docker save of linux/amd64).
    public let directory: String
    public let summary: Summary
    /// `HOST/REPO` in the source registry, and in the destination registry.
    public let upstream: String
    public let local: String

    public static let shared: TestImage = {
        do { return try make() } catch { fatalError("cannot make the test image: \(error)") }
    }()

    private static func make() throws -> TestImage {
        let directory = NSTemporaryDirectory() + "edgepack-test-image-\(getpid())"
        let upstream = "\(TestRegistries.source.token)/upstream/engine"
        let local = "\(TestRegistries.shared.token)/upstream/engine"
        let made = try run(repositoryRoot + "/scripts/make-test-image", ["--out", directory, "--layer-size", "300K", "--push", "\(upstream):v1",
                                                                       "--creds", "edgepack:edgepack-pass", "--tls-verify", "false"])
        guard made.succeeded else { throw TestFailure("make-test-image: \(made.stderr)") }
        let pushed = try run("skopeo", ["copy", "-q", "--all", "--preserve-digests", "--dest-tls-verify=false", "--dest-creds", "edgepack:edgepack-pass",
                                        "oci:\(directory)/oci:v1", "docker://\(local):v1"])
        guard pushed.succeeded else { throw TestFailure("skopeo copy: \(pushed.stderr)") }
        atexit { try? FileManager.default.removeItem(atPath: NSTemporaryDirectory() + "edgepack-test-image-\(getpid())") }
        return TestImage(directory: directory, summary: try JSONDecoder().decode(Summary.self, from: Data(made.stdout.utf8)), upstream: upstream, local: local)
    }
}

