import Foundation
import Testing
import TestSupport
import OCIKit

/// ccfraud published once to the token registry; variants of its pipeline manifest are tagged beside it, with a
/// crafted tar in place of the directory model's layer (aloha), other annotations, or another config.
private struct HostileRegistry {
    let path: String
    let prefix: String
    let manifest: Manifest
    let client: RegistryClient
    private let repository = "pipelines/ccfraud-pipeline"

    init() throws {
        path = "hostilepull\(UUID().uuidString.prefix(6).lowercased())"
        prefix = "\(registries.token)/\(path)"
        let (result, record) = try publish("ccfraud/edgepack.yaml", registry: prefix)
        guard result.succeeded, let record else { throw TestFailure("publish: \(result.stderr)") }
        var options = RegistryOptions()
        options.plainHTTP = true
        client = try RegistryClient.connect(host: registries.token, credential: .password(username: "edgepack", password: "edgepack-pass"), options: options)
        manifest = try client.fetchManifest(.tag(record.pipeline_version), in: Repository(unchecked: "\(path)/\(repository)")).0
    }

    /// Tags the pipeline with its directory layer's bytes, its layers' annotations and its config replaced as
    /// given (new blobs are uploaded; the published ones are already there) and returns the variant's reference.
    func variant(_ tag: String, directoryLayer: [UInt8]? = nil, annotations: [String: String] = [:], config: [UInt8]? = nil) throws -> String {
        var variant = manifest
        var supplied: [Blob] = []
        func replaced(_ descriptor: Descriptor, with bytes: [UInt8]) -> Descriptor {
            var changed = descriptor
            (changed.digest, changed.size) = (SHA256Hasher.digest(bytes), Int64(bytes.count))
            supplied.append(Blob(descriptor: changed, content: .bytes(bytes)))
            return changed
        }
        if let config { variant.config = replaced(variant.config, with: config) }
        for index in variant.layers.indices {
            variant.layers[index].annotations?.merge(annotations) { $1 }
            if let directoryLayer, variant.layers[index].mediaType == MediaType.ModelPack.weightTar {
                variant.layers[index] = replaced(variant.layers[index], with: directoryLayer)
            }
        }
        let placeholder = { (descriptor: Descriptor) in
            supplied.first { $0.descriptor.digest == descriptor.digest } ?? Blob(descriptor: descriptor, content: .bytes([]))
        }
        let artifact = try Artifact(reference: "\(repository):\(tag)", manifest: variant, config: placeholder(variant.config),
                                    layers: variant.layers.map(placeholder))
        let absent = Set([manifest.config.digest] + manifest.layers.map(\.digest))
        try Copier(from: ArtifactSource([artifact], absent: absent), to: RegistryDestination(client: client, prefixPath: path))
            .copy([CopyItem(artifact)])
        return "\(prefix)/\(repository):\(tag)"
    }

    /// Where the directory model (aloha) is pulled to, as messages name it.
    var directoryModel: String {
        let version = manifest.layers.first { $0.mediaType == MediaType.ModelPack.weightTar }?.annotations?["version"] ?? "?"
        return "models/aloha/\(version)/aloha-cnn-lstm"
    }

    func configBytes() throws -> [UInt8] {
        let sink = MemorySink()
        try client.fetchBlob(manifest.config, from: Repository(unchecked: "\(path)/\(repository)"), into: sink)
        return sink.bytes
    }
}

private func pull(_ reference: String, _ output: String, _ extra: [String] = []) throws -> ProcessResult {
    try edgepack(["pull", reference, "-o", output] + extra, environment: pusher)
}

/// Every path under `directory` with its type, mode and content, to show a folder is exactly as it was.
private func snapshot(_ directory: String) throws -> [String] {
    try FileManager.default.subpathsOfDirectory(atPath: directory).sorted().map { name in
        let path = directory + "/" + name
        let status = try FileStatus(path: path, followLinks: false)
        let content = status.isRegularFile ? SHA256Hasher.digest(Array(try Data(contentsOf: URL(fileURLWithPath: path)))).string : ""
        return "\(name) \(String(status.mode, radix: 8)) \(content)"
    }
}

@Suite(.serialized) struct HostilePullTests {
    @Test func aLayerWithDevicesOrEscapingLinksFailsInOneLineAndWritesNothing() throws {
        let registry = try HostileRegistry()
        let dir = try TemporaryDirectory()
        let output = dir.file("pulled")
        let first = try pull(try registry.variant("plain"), output)
        #expect(first.succeeded, "\(first.stderr)")
        let before = try snapshot(output)
        let layer = registry.directoryModel
        let cases: [(String, CraftedTar.Entry, String)] = [
            ("block", CraftedTar.Entry("sda", type: "4"), "'sda', a block device"),
            ("char", CraftedTar.Entry("tty", type: "3"), "'tty', a character device"),
            ("fifo", CraftedTar.Entry("pipe", type: "6"), "'pipe', a FIFO"),
            ("etc", .symlink("etc", to: "/etc"), "'etc', a symlink to '/etc', outside the folder"),
            ("shadow", .symlink("variables/shadow", to: "../../../../../etc/shadow"), "'variables/shadow', a symlink to '../../../../../etc/shadow', outside the folder"),
            ("hardlink", .hardlink("passwd", to: "/etc/passwd"), "'passwd', a hard link to '/etc/passwd', which is not a file unpacked before it in the folder"),
        ]
        for (tag, entry, what) in cases {
            let tar = CraftedTar([.file("saved_model.pb", "model"), .directory("variables"), entry, .file("variables/after", "after")])
            let reference = try registry.variant(tag, directoryLayer: tar.bytes)
            for target in [output, dir.file("fresh-\(tag)")] {
                let result = try pull(reference, target)
                #expect(result.status == 1, "\(tag): \(result.stdout)")
                #expect(result.stderr == "edgepack: error: \(layer) holds \(what); refusing it (only files, folders and links inside the folder are unpacked)\n", "\(tag)")
            }
            // The earlier pull is exactly as it was; the fresh target was never made; no staging is left.
            #expect(try snapshot(output) == before, "\(tag)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["pulled"], "\(tag)")
        }
    }

    @Test func aLayerUnpacksToPlainModesOwnedByTheUserAndLinksInsideWork() throws {
        let registry = try HostileRegistry()
        let dir = try TemporaryDirectory()
        let tar = CraftedTar([
            .file("saved_model.pb", "#!/bin/sh\n", mode: 0o4755), .directory("variables", mode: 0o1777),
            .file("variables/open", mode: 0o666), .file("variables/sgid", mode: 0o2700),
            .symlink("variables/model", to: "../saved_model.pb"),
        ])
        let pulled = try pull(try registry.variant("modes", directoryLayer: tar.bytes), dir.file("out"), ["--json"])
        #expect(pulled.succeeded, "\(pulled.stderr)")
        let model = dir.file("out/" + registry.directoryModel)
        let expected: [String: UInt32] = ["saved_model.pb": 0o100755, "variables": 0o40755, "variables/open": 0o100644, "variables/sgid": 0o100755]
        for (name, mode) in expected {
            var info = stat()
            #expect(lstat(model + "/" + name, &info) == 0)
            #expect(info.st_mode == mode && info.st_uid == getuid(), "\(name): \(String(info.st_mode, radix: 8))")
        }
        #expect(try String(contentsOfFile: model + "/variables/model", encoding: .utf8) == "#!/bin/sh\n")
    }

    /// 1 MiB of zeros gzipped under the uncompressed-tar media type: refused once it passes the layer's own size.
    @Test func aLayerThatExpandsPastItsBoundFailsWithoutFillingTheDisk() throws {
        let registry = try HostileRegistry()
        let dir = try TemporaryDirectory()
        let bomb = try CraftedTar([.file("saved_model.pb", "model"), CraftedTar.Entry("zeros", data: [UInt8](repeating: 0, count: 1 << 20))]).gzipped()
        let layer = registry.directoryModel
        let result = try pull(try registry.variant("bomb", directoryLayer: bomb), dir.file("out"))
        #expect(result.status == 1)
        #expect(result.stderr == "edgepack: error: \(layer) unpacks to more than \(bomb.count < 1024 ? "\(bomb.count) B" : String(format: "%.1f KiB", Double(bomb.count) / 1024)), the layer's own size (an uncompressed tar never unpacks to more); refusing it\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)

        // --max-unpacked lowers the bound below an honest layer's size.
        let honest = try pull(try registry.variant("honest"), dir.file("out"), ["--max-unpacked", "4K"])
        #expect(honest.stderr == "edgepack: error: \(layer) unpacks to more than 4.0 KiB, the limit set for this pull; refusing it: raise --max-unpacked to pull this model\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
        let wrong = try pull(try registry.variant("honest"), dir.file("out"), ["--max-unpacked", "lots"])
        #expect(wrong.status != 0 && wrong.stderr.contains("--max-unpacked takes a size such as 512M or 4G, got 'lots'"), "\(wrong.stderr)")
    }

    @Test func pullNeverReplacesAFolderItDidNotWrite() throws {
        let registry = try HostileRegistry()
        let dir = try TemporaryDirectory()
        let reference = try registry.variant("mine")
        try dir.write("site/pipeline.json", "{\"mine\": true}")
        try dir.write("site/thesis.txt", "three years of work")
        try dir.write("site/.ssh/id_rsa", "-----BEGIN OPENSSH PRIVATE KEY-----")
        let before = try snapshot(dir.file("site"))
        let refused = try pull(reference, dir.file("site"))
        #expect(refused.status == 1)
        #expect(refused.stderr == "edgepack: error: \(dir.file("site")) holds files edgepack did not write; pull into an empty or new folder, or one an earlier pull made\n")
        #expect(try snapshot(dir.file("site")) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["site"])

        // An empty folder is fine; the folder a pull made carries its marker and is replaced by the next pull.
        try FileManager.default.createDirectory(atPath: dir.file("empty"), withIntermediateDirectories: true)
        #expect(try pull(reference, dir.file("empty")).succeeded)
        let marker = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir.file("empty/.edgepack-pull")))) as? [String: String]
        #expect(marker?["reference"]?.hasSuffix("pipelines/ccfraud-pipeline:mine") == true && marker?["digest"]?.hasPrefix("sha256:") == true, "\(String(describing: marker))")
        let again = try pull(reference, dir.file("empty"))
        #expect(again.succeeded, "\(again.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("empty")).sorted() == [".edgepack-pull", "models", "pipeline.json"])
    }

    /// Annotations and config strings from the registry reach the terminal with control characters escaped.
    @Test func registryStringsAreEscapedInPullAndInspect() throws {
        let registry = try HostileRegistry()
        let dir = try TemporaryDirectory()
        let configBytes = try registry.configBytes()
        let config = String(decoding: configBytes, as: UTF8.self).replacingOccurrences(of: "\"runtime\":\"onnx\"", with: "\"runtime\":\"onnx\\u001b]0;pwned\\u0007\\n\\u001b[2Jfake\"")
        #expect(config != String(decoding: configBytes, as: UTF8.self))
        let reference = try registry.variant("escapes", annotations: ["runtime": "onnx\u{1b}[31mred", "wallaroo_file_type": "model\nedgepack: fake line"],
                                             config: Array(config.utf8))
        let pulled = try pull(reference, dir.file("out"))
        #expect(pulled.succeeded, "\(pulled.stderr)")
        #expect(pulled.stdout.contains("onnx\\u{1b}[31mred") && pulled.stdout.contains("model\\u{a}edgepack: fake line"), "\(pulled.stdout)")
        let inspected = try edgepack(["inspect", reference], environment: pusher)
        #expect(inspected.succeeded, "\(inspected.stderr)")
        #expect(inspected.stdout.contains("onnx\\u{1b}]0;pwned\\u{7}\\u{a}\\u{1b}[2Jfake"), "\(inspected.stdout)")
        for output in [pulled.stdout, inspected.stdout] {
            #expect(!output.unicodeScalars.contains { $0.value == 0x1b || $0.value == 0x07 })
        }
    }
}
