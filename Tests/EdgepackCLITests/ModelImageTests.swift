import Foundation
import Testing
import TestSupport
import Yams

/// `--model-images`: each model also as an OCI image Kubernetes can mount (ImageVolume, KServe modelcars).
@Suite(.serialized) struct ModelImageTests {
    static let definition = "ccfraud/every-step.yaml"
    /// The models of every-step.yaml and what each holds: two files and a directory.
    static let models = ["ccfraud": "models/ccfraud.onnx", "ccfraud-xgb": "models/ccfraud-xgb.onnx", "aloha": "models/aloha-cnn-lstm"]

    @Test func skopeoCopiesEachModelImageAndItsLayerHoldsTheModelUnderModelsName() throws {
        let dir = try TemporaryDirectory()
        let layout = dir.file("layout")
        let result = try edgepack(["build", fixture(Self.definition), "-o", layout, "--model-images"])
        #expect(result.succeeded, "\(result.stderr)")
        let images = printedReferences(result.stdout).filter { $0.hasPrefix("model-images/") }
        #expect(Set(images.map { String($0.dropFirst("model-images/".count).prefix { $0 != ":" }) }) == Set(Self.models.keys))
        for reference in images {
            let name = String(reference.dropFirst("model-images/".count).prefix { $0 != ":" })
            let copied = dir.file("copy-\(name)")
            // As it is: skopeo would otherwise gzip the layer (and checks every digest as it copies).
            let copy = try run("skopeo", ["copy", "--preserve-digests", "--dest-oci-accept-uncompressed-layers",
                                          "oci:\(layout):\(reference)", "oci:\(copied):\(reference)"])
            #expect(copy.succeeded, "\(reference): \(copy.stderr)")
            let manifest = try json(try run("skopeo", ["inspect", "--raw", "oci:\(copied):\(reference)"]).stdout)
            #expect(manifest["artifactType"] == nil, "an image, not an artifact")
            #expect(manifest[path: "config.mediaType"] as? String == "application/vnd.oci.image.config.v1+json")
            let layers = try #require(manifest["layers"] as? [[String: Any]])
            #expect(layers.count == 1 && layers[0]["mediaType"] as? String == "application/vnd.oci.image.layer.v1.tar")
            let layerDigest = try #require(layers[0]["digest"] as? String)
            let config = try json(try run("skopeo", ["inspect", "--config", "--raw", "oci:\(copied):\(reference)"]).stdout)
            #expect(config["architecture"] as? String == "amd64" && config["os"] as? String == "linux")
            #expect(config[path: "rootfs.diff_ids"] as? [String] == [layerDigest], "an uncompressed layer is its own diff_id")
            #expect(config["config"] == nil, "nothing to run")

            let unpacked = dir.file("unpacked-\(name)")
            try FileManager.default.createDirectory(atPath: unpacked, withIntermediateDirectories: true)
            let blob = copied + "/blobs/sha256/" + layerDigest.dropFirst("sha256:".count)
            let untar = try run("tar", ["-xf", blob, "-C", unpacked])
            #expect(untar.succeeded, "\(untar.stderr)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: unpacked) == ["models"])
            #expect(try FileManager.default.contentsOfDirectory(atPath: unpacked + "/models") == [name])
            let source = fixture("ccfraud/" + Self.models[name]!)
            var isDirectory: ObjCBool = false
            FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory)
            let expected = isDirectory.boolValue ? try fileDigests(under: source)
                : [(source as NSString).lastPathComponent: try sha256(source)]
            #expect(try fileDigests(under: unpacked + "/models/" + name) == expected, "\(name)")
        }
        let schemas = try run(repositoryRoot + "/scripts/check-oci-schemas", [layout])
        #expect(schemas.status == 0, "\(schemas.stdout)\(schemas.stderr)")
    }

    @Test func theDefinitionsModelsAsImagesBuildsTheSameAsTheFlagAndLeavesTheOtherArtifactsAsTheyWere() throws {
        let dir = try TemporaryDirectory()
        let copied = try copyFixture("ccfraud", into: dir)
        let text = try String(contentsOfFile: copied + "/every-step.yaml", encoding: .utf8)
        try text.replacingOccurrences(of: "deployment:\n", with: "deployment:\n  models_as_images: true\n")
            .write(toFile: copied + "/with-images.yaml", atomically: true, encoding: .utf8)
        let fromKey = try edgepack(["build", copied + "/with-images.yaml", "-o", dir.file("a")])
        let fromFlag = try edgepack(["build", fixture(Self.definition), "-o", dir.file("b"), "--model-images"])
        let without = try edgepack(["build", fixture(Self.definition), "-o", dir.file("c")])
        #expect(fromKey.succeeded && fromFlag.succeeded && without.succeeded, "\(fromKey.stderr)\(fromFlag.stderr)\(without.stderr)")
        func lines(_ output: String, _ prefixes: [String]) -> [String] {
            output.split(separator: "\n").map(String.init).filter { line in prefixes.contains { line.hasPrefix($0) } }
        }
        #expect(lines(fromKey.stdout, ["model-images/"]).count == 3)
        #expect(lines(fromKey.stdout, ["model-images/"]) == lines(fromFlag.stdout, ["model-images/"]))
        // The model artifacts and the pipeline do not change; only the chart and compose file name the images.
        #expect(lines(fromFlag.stdout, ["models/", "pipelines/"]) == lines(without.stdout, ["models/", "pipelines/"]))
        #expect(lines(without.stdout, ["model-images/"]).isEmpty)
    }

    @Test func theChartMountsEachModelImageAsAnImageVolumeForKubernetes133() throws {
        let (dir, chart) = try render(Self.definition, ["--model-images"])
        let sets = ["ociRegistry.username=u", "ociRegistry.password=p", "models.mount=imageVolume"]
        let lint = try run(tool("helm"), ["lint", "--strict", chart] + sets.flatMap { ["--set", $0] })
        #expect(lint.succeeded, "\(lint.stdout)\(lint.stderr)")
        let (result, objects) = try templateObjects(chart, sets)
        #expect(result.succeeded, "\(result.stderr)")
        let manifests = try dir.write("objects.yaml", result.stdout)
        let validation = try run("kubernetes-validate", ["--strict", "--kubernetes-version", "1.33.0", manifests])
        #expect(validation.succeeded, "\(validation.stdout)\(validation.stderr)")

        let deployment = try #require(object(objects, kind: "Deployment", name: "engine"))
        let volumes = deployment[path: "spec.template.spec.volumes"] as? [[String: Any]] ?? []
        let images = volumes.filter { $0["image"] != nil }
        #expect(images.map { $0["name"] as? String } == ["model-aloha", "model-ccfraud", "model-ccfraud-xgb"])
        for volume in images {
            let reference = try #require(volume[path: "image.reference"] as? String)
            let name = String((volume["name"] as! String).dropFirst("model-".count))
            #expect(reference.range(of: "^\(registry)/model-images/\(name)@sha256:[0-9a-f]{64}$", options: .regularExpression) != nil, "\(reference)")
            #expect(volume[path: "image.pullPolicy"] as? String == "IfNotPresent")
        }
        let mounts = deployment[path: "spec.template.spec.containers.0.volumeMounts"] as? [[String: Any]] ?? []
        // The image holds models/NAME/…: that folder (subPath, 1.33) is what appears at /models/NAME.
        #expect(mounts.filter { $0["name"] as? String != "persist" }.map { [$0["name"] as? String, $0["mountPath"] as? String, $0["subPath"] as? String] }
            == [["model-aloha", "/models/aloha", "models/aloha"], ["model-ccfraud", "/models/ccfraud", "models/ccfraud"],
                ["model-ccfraud-xgb", "/models/ccfraud-xgb", "models/ccfraud-xgb"]])
        #expect(mounts.allSatisfy { $0["name"] as? String == "persist" || $0["readOnly"] as? Bool == true })

        // By default nothing is mounted; asking for it without model images, or for an unknown mode, is one line.
        let (_, plain) = try templateObjects(chart, ["ociRegistry.username=u", "ociRegistry.password=p"])
        let plainVolumes = try #require(object(plain, kind: "Deployment", name: "engine"))[path: "spec.template.spec.volumes"] as? [Any]
        #expect(plainVolumes?.count == 1)
        let (noImagesDir, noImagesChart) = try render(Self.definition)
        defer { withExtendedLifetime(noImagesDir) {} }
        let (refused, _) = try templateObjects(noImagesChart, sets)
        #expect(!refused.succeeded && refused.stderr.contains("build or publish with --model-images"), "\(refused.stderr)")
        let (unknown, _) = try templateObjects(chart, ["ociRegistry.username=u", "ociRegistry.password=p", "models.mount=hostPath"])
        #expect(!unknown.succeeded && unknown.stderr.contains("use none or imageVolume"), "\(unknown.stderr)")
    }

    @Test func composeAndPodmanMountTheModelImagesToo() throws {
        let (dir, _) = try render(Self.definition, ["--model-images"])
        let schema = try run(repositoryRoot + "/scripts/check-compose-schema", [dir.file("out/compose.yaml")])
        #expect(schema.status == 0 && schema.stdout.contains("valid against"), "\(schema.stdout)\(schema.stderr)")
        let compose = try #require(try Yams.load(yaml: String(contentsOfFile: dir.file("out/compose.yaml"), encoding: .utf8)) as? [String: Any])
        let volumes = compose[path: "services.engine.volumes"] as? [Any] ?? []
        #expect(volumes.first as? String == "persist:/persist")
        let images = volumes.compactMap { $0 as? [String: Any] }
        #expect(images.map { $0["target"] as? String } == ["/models/aloha", "/models/ccfraud", "/models/ccfraud-xgb"])
        #expect(images.map { $0[path: "image.subpath"] as? String } == ["models/aloha", "models/ccfraud", "models/ccfraud-xgb"])
        #expect(images.allSatisfy { $0["type"] as? String == "image" && $0["read_only"] as? Bool == true
            && ($0["source"] as? String ?? "").hasPrefix("\(registry)/model-images/") })
        let deploy = try String(contentsOfFile: dir.file("out/DEPLOY.md"), encoding: .utf8)
        #expect(deploy.contains("--mount type=image,source=\(registry)/model-images/aloha@sha256:"), "\(deploy)")
        #expect(deploy.contains(",destination=/models/aloha,subpath=models/aloha"))
        #expect(deploy.contains("podman pull -q \(registry)/model-images/aloha@sha256:"))
    }

    @Test func bundlesWithModelImagesAreByteIdenticalAcrossRunsAndVerify() throws {
        let dir = try TemporaryDirectory()
        for name in ["1.tar", "2.tar"] {
            let result = try edgepack(["export", fixture(Self.definition), "-o", dir.file(name), "--model-images", "--no-cache"])
            #expect(result.succeeded, "\(result.stderr)")
        }
        #expect(try run("cmp", [dir.file("1.tar"), dir.file("2.tar")]).succeeded)
        let listing = try edgepack(["inspect", dir.file("1.tar"), "--verify"])
        #expect(listing.succeeded, "\(listing.stderr)")
        for name in Self.models.keys { #expect(listing.stdout.contains("model-images/\(name):"), "\(listing.stdout)") }
        let copy = try run("skopeo", ["copy", "oci-archive:\(dir.file("1.tar")):\(try #require(printedModelImage(listing.stdout)))", "oci:\(dir.file("out")):x"])
        #expect(copy.succeeded, "\(copy.stderr)")
    }

    @Test func aSignedBundlePushesItsModelImagesWithTheirSignaturesAndSkopeoReadsThemBack() throws {
        let dir = try TemporaryDirectory()
        let keys = try TestKeyPair(in: dir)
        let bundle = dir.file("bundle.tar")
        let export = try edgepack(["export", fixture(Self.definition), "-o", bundle, "--model-images", "--sign-key", keys.privatePath])
        #expect(export.succeeded, "\(export.stderr)")
        let exported = export.stdout.split(separator: "\n").filter { $0.hasPrefix("model-images/") }
        #expect(exported.count == 3, "\(export.stdout)")
        let site = "\(registries.token)/modelimg\(UUID().uuidString.prefix(6).lowercased())"
        let push = try edgepack(["push", bundle, "--registry", site], environment: pusher)
        #expect(push.succeeded, "\(push.stderr)")
        let credentials = ["--tls-verify=false", "--creds", "edgepack:edgepack-pass"]
        for line in exported {
            let parts = line.split(separator: " ").map(String.init)
            let (reference, digest) = (parts[0], parts[1])
            let repository = String(reference.prefix { $0 != ":" })
            let copy = try run("skopeo", ["copy", "--src-tls-verify=false", "--src-creds", "edgepack:edgepack-pass", "--preserve-digests",
                                          "--dest-oci-accept-uncompressed-layers", "docker://\(site)/\(reference)", "oci:\(dir.file("copy")):\(reference)"])
            #expect(copy.succeeded, "\(reference): \(copy.stderr)")
            let raw = try run("skopeo", ["inspect", "--raw"] + credentials + ["docker://\(site)/\(repository)@\(digest)"])
            #expect(raw.succeeded, "\(raw.stderr)")
            let tags = try run("skopeo", ["list-tags"] + credentials + ["docker://\(site)/\(repository)"])
            #expect(tags.stdout.contains("sha256-\(digest.dropFirst("sha256:".count)).sig"), "\(repository): \(tags.stdout)\(tags.stderr)")
        }
    }

    @Test func aDeltaLeavesOutTheUnchangedModelImagesLayersAndDiffCountsThem() throws {
        let dir = try TemporaryDirectory()
        let copied = try copyFixture("ccfraud", into: dir)
        let definition = copied + "/every-step.yaml"
        #expect(try edgepack(["export", definition, "-o", dir.file("v1.tar"), "--model-images"]).succeeded)
        let handle = try #require(FileHandle(forWritingAtPath: copied + "/models/ccfraud-xgb.onnx"))
        handle.seekToEndOfFile()
        handle.write(Data("changed".utf8))
        handle.closeFile()
        let delta = try edgepack(["export", definition, "-o", dir.file("v2.tar"), "--model-images", "--since", dir.file("v1.tar")])
        #expect(delta.succeeded, "\(delta.stderr)")
        // aloha and ccfraud are unchanged: their ModelPack layers and their images' layers stay at the site.
        let inspect = try edgepack(["inspect", dir.file("v2.tar")])
        #expect(inspect.stdout.contains("Delta bundle: it leaves out 4 blobs"), "\(inspect.stdout)\(inspect.stderr)")
        let diff = try edgepack(["diff", dir.file("v1.tar"), dir.file("v2.tar")])
        #expect(diff.succeeded, "\(diff.stderr)")
        let changed = diff.stdout.split(separator: "\n").filter { $0.hasPrefix("model-images/") && $0.hasSuffix("changed") }
        #expect(changed.count == 1 && changed[0].hasPrefix("model-images/ccfraud-xgb ") && changed[0].contains(" model image "), "\(diff.stdout)")
    }

    private func printedModelImage(_ listing: String) -> String? {
        listing.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init).first { $0.hasPrefix("model-images/") }
    }

    private func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    private func sha256(_ path: String) throws -> String {
        let result = try run("sha256sum", [path])
        return String(result.stdout.prefix(64))
    }

    /// Every regular file under `root`, by its path inside it, with its SHA-256.
    private func fileDigests(under root: String) throws -> [String: String] {
        var digests: [String: String] = [:]
        let enumerator = FileManager.default.enumerator(atPath: root)
        while let relative = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            FileManager.default.fileExists(atPath: root + "/" + relative, isDirectory: &isDirectory)
            if !isDirectory.boolValue { digests[relative] = try sha256(root + "/" + relative) }
        }
        return digests
    }
}
