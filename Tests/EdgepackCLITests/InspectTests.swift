import Foundation
import Testing
import TestSupport

/// `inspect` reads what build writes (a layout directory), what export writes (a bundle), and a registry reference.
@Suite struct InspectTests {
    let definition = fixture("ccfraud/edgepack.yaml")

    func sha256(_ text: String) throws -> String {
        let dir = try TemporaryDirectory()
        let file = try dir.write("data", text)
        return "sha256:" + String(try run("sha256sum", [file]).stdout.prefix(64))
    }

    @Test func aLayoutDirectoryAndABundleShowTheSameArtifactsModelsAndSteps() throws {
        let dir = try TemporaryDirectory()
        #expect(try edgepack(["build", definition, "-o", dir.file("layout")]).succeeded)
        #expect(try edgepack(["export", definition, "-o", dir.file("bundle.tar")]).succeeded)
        let layout = try edgepack(["inspect", dir.file("layout")])
        let bundle = try edgepack(["inspect", dir.file("bundle.tar")])
        #expect(layout.succeeded && bundle.succeeded, "\(layout.stderr)\(bundle.stderr)")
        // The same pipeline summary; the bundle also carries the pipeline's attestations (SBOM, provenance).
        #expect(layout.stdout.components(separatedBy: "\n\n").dropFirst() == bundle.stdout.components(separatedBy: "\n\n").dropFirst())
        #expect(bundle.stdout.contains(".att  attestations  sha256:"), "\(bundle.stdout)")
        let lines = layout.stdout.split(separator: "\n").map(String.init)
        let columns = lines.map { $0.split(separator: " ").map(String.init) }
        #expect(columns.contains { $0.count == 5 && $0[0] == "pipelines/ccfraud-pipeline:2c5968b7-62fa-49f8-9489-aaf84cfb80aa" && $0[1] == "pipeline" && $0[2].hasPrefix("sha256:") })
        #expect(columns.filter { $0.count >= 2 && $0[1] == "model" }.count == 3)
        #expect(lines.contains { $0.hasPrefix("pipeline ccfraud-pipeline version 2c5968b7-62fa-49f8-9489-aaf84cfb80aa: 3 models (") && $0.hasSuffix("), 4 steps") })
        #expect(lines.contains("MODEL        VERSION                               RUNTIME     SIZE      SHA"))
        #expect(lines.contains("1     ModelInference  ccfraud, ccfraud-xgb"))
        #expect(lines.contains("4     RandomSplit     ccfraud, aloha"))
    }

    @Test func configAndManifestAreTheStoredBytesAsSkopeoReadsThem() throws {
        let dir = try TemporaryDirectory()
        #expect(try edgepack(["build", definition, "-o", dir.file("layout")]).succeeded)
        #expect(try edgepack(["export", definition, "-o", dir.file("bundle.tar")]).succeeded)
        let reference = "pipelines/ccfraud-pipeline:2c5968b7-62fa-49f8-9489-aaf84cfb80aa"
        for (flag, skopeoFlags) in [("--manifest", ["--raw"]), ("--config", ["--config", "--raw"])] {
            let theirs = try run("skopeo", ["inspect"] + skopeoFlags + ["oci:\(dir.file("layout")):\(reference)"])
            #expect(theirs.succeeded, "\(theirs.stderr)")
            for target in [dir.file("layout"), dir.file("bundle.tar")] {
                let ours = try edgepack(["inspect", target, flag])
                #expect(ours.succeeded, "\(ours.stderr)")
                #expect(ours.stdout == theirs.stdout, "\(target) \(flag)")
            }
        }
        let config = try edgepack(["inspect", dir.file("bundle.tar"), "--config"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(config.stdout.utf8)) as? [String: Any])
        #expect(object["id"] as? String == "ccfraud-pipeline")
        // Another artifact by its repository; an ambiguous name says which ones there are.
        let model = try edgepack(["inspect", dir.file("layout"), "--manifest", "--artifact", "models/aloha"])
        #expect(model.stdout.contains("application/vnd.cncf.model.manifest.v1+json"), "\(model.stderr)")
        let exact = try edgepack(["inspect", dir.file("layout"), "--config", "--artifact", "models/ccfraud"])
        #expect(exact.succeeded && exact.stdout.contains("\"name\":\"ccfraud\""), "\(exact.stderr)")
        let ambiguous = try edgepack(["inspect", dir.file("layout"), "--config", "--artifact", "models/ccf"])
        #expect(ambiguous.status == 1)
        #expect(ambiguous.stderr == "edgepack: error: 'models/ccf' matches 2 artifacts in \(dir.file("layout")): pass --artifact with one of "
            + "models/ccfraud-xgb:90c3ea47-0e4f-4de6-9bea-af47e3c9da6f, models/ccfraud:8539864f-315d-5be2-bfa0-902f22d0a10f\n")
    }

    @Test func aRegistryReferenceIsFetched() throws {
        let registry = "\(registries.token)/inspect\(UUID().uuidString.prefix(6).lowercased())"
        let (published, record) = try publish("ccfraud/edgepack.yaml", registry: registry)
        #expect(published.succeeded, "\(published.stderr)")
        let pipeline = try #require(record)
        let reader = ["OCI_USERNAME": "reader", "OCI_PASSWORD": "reader-pass"]
        let table = try edgepack(["inspect", pipeline.pipeline_url], environment: reader)
        #expect(table.succeeded, "\(table.stderr)")
        #expect(table.stdout.hasPrefix("REFERENCE"))
        #expect(table.stdout.contains("\(pipeline.pipeline_url)  pipeline  \(pipeline.pipeline_digest)"))
        #expect(table.stdout.contains("pipeline ccfraud-pipeline version \(pipeline.pipeline_version): 3 models ("))
        let manifest = try edgepack(["inspect", "oci://\(registry)/pipelines/ccfraud-pipeline@\(pipeline.pipeline_digest)", "--manifest"], environment: reader)
        #expect(try sha256(manifest.stdout) == pipeline.pipeline_digest)
        let newest = try edgepack(["inspect", "\(registry)/pipelines/ccfraud-pipeline", "--config"], environment: reader)
        #expect(newest.stderr.hasPrefix("Using the newest published version: \(pipeline.pipeline_version) (created "), "\(newest.stderr)")
        #expect(newest.stdout.hasPrefix("{") && newest.stdout.contains("\"id\":\"ccfraud-pipeline\""))
    }

    @Test func whatIsNotALayoutIsOneClearLine() throws {
        let dir = try TemporaryDirectory()
        try dir.write("plain/notes.txt", "not a layout")
        let directory = try edgepack(["inspect", dir.file("plain")])
        #expect(directory.status == 1)
        #expect(directory.stderr == "edgepack: error: \(dir.file("plain")) is not an OCI image layout (no oci-layout or index.json)\n")
        let missing = try edgepack(["inspect", "no-such-bundle.tar"])
        #expect(missing.stderr == "edgepack: error: cannot read no-such-bundle.tar: no such file or directory, and not a registry reference such as ghcr.io/acme/edge/pipelines/NAME:VERSION\n")
    }
}
