import Foundation
import Testing
import TestSupport

/// The engine image travels with the pipeline (SPEC "Images"): mirrored into the registry under the prefix,
/// carried in bundles, pushed into site registries; record, chart, compose and commands name the mirror.
@Suite struct MirrorTests {
    let image = TestImage.shared
    let sourceReader = ["EDGEPACK_SOURCE_USERNAME": "reader", "EDGEPACK_SOURCE_PASSWORD": "reader-pass"]

    /// A one-model pipeline whose engine (and the model's sidekick, with `sidekick`) is `engine`.
    func definition(_ dir: TemporaryDirectory, engine: String, source: String? = nil, arch: String = "x86", sidekick: Bool = false) throws -> String {
        _ = try dir.write("def/m.onnx", "model bytes \(UUID())")
        return try dir.write("def/edgepack.yaml", """
            name: mirrored
            engine:
              image: \(engine)
            \(source.map { "  source: \($0)" } ?? "")
            deployment:
              arch: \(arch)
            \(sidekick ? "  sidekicks: {m: {image: \(engine)}}" : "")
            models:
              - {name: m, path: m.onnx, framework: onnx}
            steps:
              - model: m
            """)
    }

    func environment(_ dir: TemporaryDirectory) -> [String: String] {
        pusher.merging(sourceReader) { $1 }.merging(["EDGEPACK_CACHE_DIR": dir.file("cache")]) { $1 }
    }

    func prefix(_ registry: String) -> String { "\(registry)/mirror\(UUID().uuidString.prefix(6).lowercased())" }

    @Test func publishCopiesTheArchitecturesImageAndEverythingNamesTheMirror() throws {
        let dir = try TemporaryDirectory()
        let definition = try definition(dir, engine: "\(image.upstream):v1", arch: "arm", sidekick: true)
        let prefix = prefix(registries.token)
        let published = try edgepack(["publish", definition, "--registry", prefix, "--json"], environment: environment(dir))
        #expect(published.succeeded, "\(published.stderr)")
        let record = try jsonObject(published.stdout)
        let arm = try #require(image.summary.platforms["linux/arm64"]).manifest
        #expect(record["engine_url"] as? String == "\(prefix)/engine:v1")
        #expect(record["engine_digest"] as? String == arm)
        #expect(record["engine_source"] as? String == "\(image.upstream):v1")
        #expect(try rawDigest("docker://\(prefix)/engine:v1") == arm)
        #expect(try rawDigest("docker://\(prefix)/sidekicks/m:v1") == arm)
        #expect((record["docker_run"] as? String)?.hasSuffix("\(prefix)/engine@\(arm)") == true, "\(record["docker_run"] ?? "")")
        #expect((record["podman_run"] as? String)?.hasSuffix("\(prefix)/engine@\(arm)") == true)
        #expect(record["user_images"] as? [String] == ["\(prefix)/sidekicks/m:v1"])
        let values = try #require((record["helm"] as? [String: Any])?["values"] as? [String: Any])
        let chartImage = try #require(values["image"] as? [String: Any])
        #expect(chartImage["repository"] as? String == "\(prefix)/engine" && chartImage["tag"] as? String == "v1" && chartImage["digest"] as? String == arm)

        // Rendering for the same registry gives the same names: compose and the chart Helm renders.
        let rendered = try edgepack(["render", definition, "--registry", prefix, "-o", dir.file("out")], environment: environment(dir))
        #expect(rendered.succeeded, "\(rendered.stderr)")
        let compose = try String(contentsOfFile: dir.file("out/compose.yaml"), encoding: .utf8)
        #expect(compose.contains("image: \(prefix)/engine@\(arm)") && compose.contains("image: \(prefix)/sidekicks/m@\(arm)"), "\(compose)")
        let template = try run(tool("helm"), ["template", "edge", dir.file("out/chart/mirrored"), "--set", "ociRegistry.username=u", "--set", "ociRegistry.password=p"])
        #expect(template.succeeded, "\(template.stderr)")
        #expect(template.stdout.contains("image: \"\(prefix)/engine@\(arm)\"") && template.stdout.contains("image: \"\(prefix)/sidekicks/m@\(arm)\""), "\(template.stdout)")

        // An edge engine still pulls the pipeline as before.
        let pulled = try edgepack(["pull", try #require(record["pipeline_url"] as? String), "-o", dir.file("edge")], environment: pusher)
        #expect(pulled.succeeded && pulled.stdout.contains("m.onnx"), "\(pulled.stderr) \(pulled.stdout)")

        // Again: nothing of the engine moves.
        let again = try edgepack(["publish", definition, "--registry", prefix, "--json"], environment: environment(dir))
        let transfer = try #require(try jsonObject(again.stdout)["transfer"] as? [String: Any])
        #expect(transfer["uploaded_blobs"] as? Int == 0 && transfer["mounted_blobs"] as? Int == 0, "\(transfer)")
    }

    @Test func allPlatformsCopiesTheWholeIndex() throws {
        let dir = try TemporaryDirectory()
        let definition = try definition(dir, engine: "\(image.upstream):v1")
        let prefix = prefix(registries.basic)
        let published = try edgepack(["publish", definition, "--registry", prefix, "--json", "--all-platforms"], environment: environment(dir))
        #expect(published.succeeded, "\(published.stderr)")
        #expect(try jsonObject(published.stdout)["engine_digest"] as? String == image.summary.index)
        // Every blob came through the blob cache, where the next export or publish finds it.
        let cached = Set((try? FileManager.default.contentsOfDirectory(atPath: dir.file("cache/blobs/sha256"))) ?? [])
        for platform in image.summary.platforms.values {
            #expect(cached.contains(String(platform.config.dropFirst("sha256:".count))), "\(cached)")
        }
        #expect(try rawDigest("docker://\(prefix)/engine:v1") == image.summary.index)
    }

    @Test func theMirroredEngineIsSignedAndVerifiedWithThePipeline() throws {
        let dir = try TemporaryDirectory()
        let keys = try TestKeyPair(in: dir)
        let definition = try definition(dir, engine: "\(image.upstream):v1")
        let prefix = prefix(registries.token)
        let published = try edgepack(["publish", definition, "--registry", prefix, "--json", "--sign-key", keys.privatePath], environment: environment(dir))
        #expect(published.succeeded, "\(published.stderr)")
        let record = try jsonObject(published.stdout)
        let verified = try edgepack(["verify", try #require(record["pipeline_url"] as? String), "--key", keys.publicPath], environment: pusher)
        #expect(verified.succeeded, "\(verified.stderr)")
        let engine = try #require(record["engine_digest"] as? String)
        #expect(verified.stdout.contains("\(prefix)/engine@\(engine)"), "\(verified.stdout)")
    }

    @Test func aSourceInTheSameRegistryIsMounted() throws {
        let dir = try TemporaryDirectory()
        let definition = try definition(dir, engine: "\(image.local):v1")
        let environment = environment(dir).merging(["EDGEPACK_SOURCE_USERNAME": "edgepack", "EDGEPACK_SOURCE_PASSWORD": "edgepack-pass"]) { $1 }
        let published = try edgepack(["publish", definition, "--registry", prefix(registries.token), "--json"], environment: environment)
        #expect(published.succeeded, "\(published.stderr)")
        let transfer = try #require(try jsonObject(published.stdout)["transfer"] as? [String: Any])
        // The engine's config and three layers are mounted (with blobs other repositories share); none is uploaded.
        let engineSize = try #require(image.summary.platforms["linux/amd64"]).size
        #expect((transfer["mounted_blobs"] as? Int ?? 0) >= 4 && (transfer["uploaded_bytes"] as? Int64 ?? .max) < engineSize / 2, "\(transfer)")
    }

    @Test(arguments: [("docker-archive:engine.tar", "docker.tar"), ("oci-archive:engine.tar:v1", "image.tar")])
    func aLocalSourceGoesIntoTheBundleAndOnIntoASiteRegistry(source: String, file: String) throws {
        let dir = try TemporaryDirectory()
        let definition = try definition(dir, engine: "ghcr.io/unreachable/engine:v1", source: source)
        try FileManager.default.copyItem(atPath: "\(image.directory)/\(file)", toPath: dir.file("def/engine.tar"))
        let bundle = dir.file("bundle.tar")
        let exported = try edgepack(["export", definition, "-o", bundle, "--registry", "ghcr.io/acme/edge"], environment: ["EDGEPACK_CACHE_DIR": dir.file("cache")])
        #expect(exported.succeeded && exported.stderr.isEmpty, "\(exported.stderr)")
        let inBundle = try rawDigest("oci-archive:\(bundle):engine:v1")
        if file == "image.tar" { #expect(inBundle == image.summary.platforms["linux/amd64"]?.manifest) }
        let copied = try run("skopeo", ["copy", "-q", "oci-archive:\(bundle):engine:v1", "oci:\(dir.file("out")):x"])
        #expect(copied.succeeded, "\(copied.stderr)")
        // A second export of the same pipeline reads the engine from the blob cache (the docker archive's
        // layers are files; the registry source's blobs were cached by the first export).
        let again = try edgepack(["export", definition, "-o", dir.file("again.tar"), "--registry", "ghcr.io/acme/edge"], environment: ["EDGEPACK_CACHE_DIR": dir.file("cache")])
        #expect(again.succeeded, "\(again.stderr)")
        let againDigest = try rawDigest("oci-archive:\(dir.file("again.tar")):engine:v1")
        #expect(againDigest == inBundle)
        let inspected = try edgepack(["inspect", bundle])
        #expect(inspected.stdout.contains("engine:v1") && inspected.stdout.contains("linux/amd64"), "\(inspected.stdout)")

        let site = prefix(registries.basic)
        let pushed = try edgepack(["push", bundle, "--registry", site, "--json"], environment: pusher)
        #expect(pushed.succeeded, "\(pushed.stderr)")
        let record = try jsonObject(pushed.stdout)
        #expect(record["engine_url"] as? String == "\(site)/engine:v1" && record["engine_digest"] as? String == inBundle, "\(record)")
        #expect((record["docker_run"] as? String)?.hasSuffix("\(site)/engine@\(inBundle)") == true)
        #expect(try rawDigest("docker://\(site)/engine:v1") == inBundle)
    }

    @Test func aDeltaBundleLeavesOutTheEngineTheSiteHasAndPushesOnTopOfIt() throws {
        let dir = try TemporaryDirectory()
        let definition = try definition(dir, engine: "ghcr.io/unreachable/engine:v1", source: "oci-archive:engine.tar:v1")
        try FileManager.default.copyItem(atPath: "\(image.directory)/image.tar", toPath: dir.file("def/engine.tar"))
        let cache = ["EDGEPACK_CACHE_DIR": dir.file("cache")]
        #expect(try edgepack(["export", definition, "-o", dir.file("v1.tar"), "--registry", "ghcr.io/acme/edge"], environment: cache).succeeded)
        let site = prefix(registries.basic)
        #expect(try edgepack(["push", dir.file("v1.tar"), "--registry", site], environment: pusher).succeeded)
        _ = try dir.write("def/m.onnx", "the next model \(UUID())")
        let delta = try edgepack(["export", definition, "-o", dir.file("v2.tar"), "--since", dir.file("v1.tar"), "--registry", "ghcr.io/acme/edge"], environment: cache)
        #expect(delta.succeeded, "\(delta.stderr)")
        let engineSize = try #require(image.summary.platforms["linux/amd64"]).size
        let deltaSize = try #require(try FileManager.default.attributesOfItem(atPath: dir.file("v2.tar"))[.size] as? Int64)
        #expect(deltaSize < engineSize / 2, "the delta carries the engine again: \(deltaSize) bytes")
        let pushed = try edgepack(["push", dir.file("v2.tar"), "--registry", site, "--json"], environment: pusher)
        #expect(pushed.succeeded, "\(pushed.stderr)")
        #expect(try jsonObject(pushed.stdout)["engine_digest"] as? String == image.summary.platforms["linux/amd64"]?.manifest)
        let empty = try edgepack(["push", dir.file("v2.tar"), "--registry", prefix(registries.basic)], environment: pusher)
        #expect(empty.status != 0 && empty.stderr.contains("lacks"), "\(empty.stderr)")
    }

    @Test func noMirrorReferencesTheImageWhereItIsAndSaysSo() throws {
        let dir = try TemporaryDirectory()
        let definition = try definition(dir, engine: "\(image.upstream):v1")
        let prefix = prefix(registries.token)
        let published = try edgepack(["publish", definition, "--registry", prefix, "--json", "--no-mirror"], environment: environment(dir))
        #expect(published.succeeded, "\(published.stderr)")
        #expect(published.stderr.contains("the site must reach \(image.upstream):v1 itself"), "\(published.stderr)")
        #expect(try jsonObject(published.stdout)["engine_url"] as? String == "\(image.upstream):v1")
        #expect(throws: (any Error).self) { try rawDigest("docker://\(prefix)/engine:v1") }
    }

    @Test func anUnreachableOrUnknownSourceIsOneLineNamingTheImageAndWhatToDo() throws {
        let dir = try TemporaryDirectory()
        let unknown = try edgepack(["export", try definition(dir, engine: "\(image.upstream):nope"), "-o", dir.file("b.tar")], environment: environment(dir))
        #expect(unknown.status == 1)
        #expect(unknown.stderr.hasPrefix("edgepack: error: image \(image.upstream):nope: ") && unknown.stderr.contains("engine.source"), "\(unknown.stderr)")
        #expect(unknown.stderr.split(separator: "\n").count == 1, "\(unknown.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.file("b.tar")))
        let anonymous = try edgepack(["export", try definition(dir, engine: "\(image.upstream):v1"), "-o", dir.file("b.tar")],
                                     environment: ["EDGEPACK_CACHE_DIR": dir.file("cache"), "DOCKER_CONFIG": dir.file("docker")])
        #expect(anonymous.status != 0 && anonymous.stderr.contains("EDGEPACK_SOURCE_USERNAME"), "\(anonymous.stderr)")
        #expect(anonymous.stderr.split(separator: "\n").count == 1, "\(anonymous.stderr)")
        let missing = try edgepack(["export", try definition(dir, engine: "ghcr.io/acme/engine:v1", source: "oci-archive:nowhere.tar"), "-o", dir.file("b.tar")])
        #expect(missing.status == 1 && missing.stderr.contains("nowhere.tar"), "\(missing.stderr)")
    }
}

private func jsonObject(_ text: String) throws -> [String: Any] {
    guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { throw TestFailure("not a JSON object: \(text)") }
    return object
}

/// The sha256 of the manifest skopeo reads at `reference`.
private func rawDigest(_ reference: String) throws -> String {
    let credentials = reference.hasPrefix("docker://") ? ["--tls-verify=false", "--creds", "edgepack:edgepack-pass"] : []
    let raw = try run("skopeo", ["inspect", "--raw"] + credentials + [reference])
    guard raw.succeeded else { throw TestFailure("skopeo inspect \(reference): \(raw.stderr)") }
    let digest = try run("sha256sum", [], input: raw.stdout)
    return "sha256:" + (digest.stdout.split(separator: " ").first.map(String.init) ?? "")
}
