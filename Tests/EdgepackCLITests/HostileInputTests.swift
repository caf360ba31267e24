import Foundation
import Testing
import TestSupport
import OCIKit

/// A pipeline published from the ccfraud fixture, and a client that can push crafted variants of it.
private struct PublishedPipeline {
    let registry: String
    let path: String
    let tag: String
    let manifest: Manifest
    let client: RegistryClient

    init() throws {
        path = "hostile\(UUID().uuidString.prefix(6).lowercased())"
        registry = "\(registries.token)/\(path)"
        let (result, record) = try publish("ccfraud/edgepack.yaml", registry: registry)
        guard result.succeeded, let record else { throw TestFailure("publish: \(result.stderr)") }
        tag = record.pipeline_version
        var options = RegistryOptions()
        options.plainHTTP = true
        client = try RegistryClient.connect(host: registries.token, credential: .password(username: "edgepack", password: "edgepack-pass"), options: options)
        manifest = try client.fetchManifest(.tag(tag), in: Repository(unchecked: "\(path)/pipelines/ccfraud-pipeline")).0
    }

    /// Tags a variant of the pipeline manifest (its blobs are already in the repository) and returns its URL.
    func tagVariant(_ tag: String, _ manifest: Manifest) throws -> String {
        let config = Blob(descriptor: manifest.config, content: .bytes([]))
        let layers = manifest.layers.map { Blob(descriptor: $0, content: .bytes([])) }
        let artifact = try Artifact(reference: "pipelines/ccfraud-pipeline:\(tag)", manifest: manifest, config: config, layers: layers)
        // The blobs are the published ones, already in the repository: the stand-ins say the source lacks them.
        let absent = Set([manifest.config.digest] + manifest.layers.map(\.digest))
        try Copier(from: ArtifactSource([artifact], absent: absent), to: RegistryDestination(client: client, prefixPath: path)).copy([CopyItem(artifact)])
        return "\(registry)/pipelines/ccfraud-pipeline:\(tag)"
    }
}

private func pull(_ reference: String, _ output: String) throws -> ProcessResult {
    try edgepack(["pull", reference, "-o", output], environment: pusher)
}

@Suite(.serialized) struct HostileInputTests {
    @Test func pullRefusesEmptyMistypedAndCollidingPipelinesAndKeepsTheEarlierPull() throws {
        let published = try PublishedPipeline()
        let dir = try TemporaryDirectory()
        let output = dir.file("pulled")
        let good = try pull("\(published.registry)/pipelines/ccfraud-pipeline:\(published.tag)", output)
        #expect(good.succeeded, "\(good.stderr)")
        let before = try String(contentsOfFile: output + "/pipeline.json", encoding: .utf8)
        let modelsBefore = try FileManager.default.subpathsOfDirectory(atPath: output).sorted()

        var empty = published.manifest
        empty.layers = []
        var mistyped = published.manifest
        mistyped.artifactType = "application/vnd.example.not-a-pipeline"
        var colliding = published.manifest
        colliding.layers[1].annotations = colliding.layers[0].annotations
        var broken = published.manifest  // a file layer labelled as a tar: fails while unpacking, after others are written
        let file = try #require(broken.layers.firstIndex { $0.mediaType == MediaType.ModelPack.weightRaw })
        broken.layers[file].mediaType = MediaType.ModelPack.weightTar
        let cases = [("empty", empty, "lists no model layers"), ("mistyped", mistyped, "is not an edgepack pipeline"),
                     ("colliding", colliding, "both map to"), ("broken", broken, "Unrecognized archive format")]
        for (tag, manifest, message) in cases {
            let reference = try published.tagVariant(tag, manifest)
            for target in [output, dir.file("fresh-\(tag)")] {
                let result = try pull(reference, target)
                #expect(result.status == 1, "\(tag): \(result.stdout)")
                #expect(result.stderr.split(separator: "\n").count == 1 && result.stderr.contains(message), "\(tag): \(result.stderr)")
            }
            // The earlier pull is whole, a fresh target was never created, and no staging directory is left.
            #expect(try String(contentsOfFile: output + "/pipeline.json", encoding: .utf8) == before, "\(tag)")
            #expect(try FileManager.default.subpathsOfDirectory(atPath: output).sorted() == modelsBefore, "\(tag)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["pulled"], "\(tag)")
        }
        // A good pull replaces the earlier one whole.
        #expect(try pull("\(published.registry)/pipelines/ccfraud-pipeline:\(published.tag)", output).succeeded)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["pulled"])
    }

    @Test func pullIntoAFileOrAForeignDirectoryIsOneLine() throws {
        let published = try PublishedPipeline()
        let dir = try TemporaryDirectory()
        let reference = "\(published.registry)/pipelines/ccfraud-pipeline:\(published.tag)"
        let file = try dir.write("existing-file", "mine")
        try dir.write("foreign/notes.txt", "mine too")
        for (target, message) in [(file, "exists and is not a directory"), (dir.file("foreign"), "holds files edgepack did not write")] {
            let result = try pull(reference, target)
            #expect(result.status == 1)
            #expect(result.stderr.split(separator: "\n").count == 1 && result.stderr.contains(message), "\(result.stderr)")
            #expect(!result.stderr.contains("NSCocoaErrorDomain"))
        }
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "mine")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("foreign")) == ["notes.txt"])
    }

    @Test func pushAndInspectRefuseABundleNamingAnArtifactOutsideThePrefix() throws {
        let dir = try TemporaryDirectory()
        let bundle = dir.file("bundle.tar")
        #expect(try edgepack(["export", fixture("vgg16-clustering/edgepack.yaml"), "-o", bundle]).succeeded)
        // Rewrite index.json (same length, so offsets stay) to name an artifact outside any prefix.
        var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: bundle)))
        let original = Array("\"models/vgg16-clustering:".utf8)
        let hostile = Array("\"models/../../../victimx:".utf8)
        #expect(original.count == hostile.count)
        let start = try #require((0...(bytes.count - original.count)).first { bytes[$0..<($0 + original.count)].elementsEqual(original) })
        bytes.replaceSubrange(start..<(start + original.count), with: hostile)
        // Fix the checksum in index.json's tar header (the last 512-byte block named index.json before its data).
        let name = Array("index.json\0".utf8)
        let header = try #require(stride(from: start / 512 * 512, through: 0, by: -512).first { bytes[$0..<($0 + name.count)].elementsEqual(name) })
        for offset in 148..<156 { bytes[header + offset] = 0x20 }
        let sum = bytes[header..<(header + 512)].reduce(0) { $0 + Int($1) }
        let field = Array(String(format: "%06o\0 ", sum).utf8)
        bytes.replaceSubrange((header + 148)..<(header + 156), with: field)
        try Data(bytes).write(to: URL(fileURLWithPath: bundle))

        let victim = "\(registries.token)/victim\(UUID().uuidString.prefix(6).lowercased())"
        for arguments in [["inspect", bundle, "--verify"], ["inspect", bundle], ["push", bundle, "--registry", "\(victim)/site/edge"]] {
            let result = try edgepack(arguments, environment: pusher)
            #expect(result.status == 1, "\(arguments)")
            #expect(result.stderr.split(separator: "\n").count == 1 && result.stderr.contains("models/../../../victimx"), "\(result.stderr)")
        }
        var options = RegistryOptions()
        options.plainHTTP = true
        let reader = try RegistryClient.connect(host: registries.token, credential: .password(username: "reader", password: "reader-pass"), options: options)
        #expect(((try? reader.tags(of: Repository(unchecked: "victimx"))) ?? []).isEmpty)
    }
}
