import Foundation
import Testing
import TestSupport

/// `pull` takes NAME:TAG, NAME@sha256:…, NAME:TAG@sha256:…, and NAME alone (the newest published version).
@Suite(.serialized) struct PullReferenceTests {
    @Test func digestPinsWithAndWithoutATag() throws {
        let registry = "\(registries.token)/pin\(UUID().uuidString.prefix(6).lowercased())"
        let (published, record) = try publish("vgg16-clustering/edgepack.yaml", registry: registry)
        #expect(published.succeeded, "\(published.stderr)")
        let pipeline = try #require(record)
        let repository = "\(registry)/pipelines/\(pipeline.pipeline_name)"
        let dir = try TemporaryDirectory()
        for reference in ["\(repository)@\(pipeline.pipeline_digest)", "\(pipeline.pipeline_url)@\(pipeline.pipeline_digest)"] {
            let pulled = try edgepack(["pull", reference, "-o", dir.file(UUID().uuidString), "--json"], environment: pusher)
            #expect(pulled.succeeded, "\(reference): \(pulled.stderr)")
            #expect(pulled.stdout.contains(pipeline.models[0].digest))
        }
        // A digest that is not there is named with '@', as written.
        let other = "sha256:" + String(repeating: "1", count: 64)
        let missing = try edgepack(["pull", "\(repository)@\(other)", "-o", dir.file("missing")], environment: pusher)
        let hint = ": list the versions with 'edgepack publishes \(pipeline.pipeline_name) --registry \(registry)'"
        #expect(missing.stderr == "edgepack: error: fetch \(repository.dropFirst(registries.token.count + 1))@\(other): not found on \(registries.token) (MANIFEST_UNKNOWN: manifest unknown)\(hint)\n")
        #expect(!FileManager.default.fileExists(atPath: dir.file("missing")))
        let unknownTag = try edgepack(["pull", "\(repository):11111111-1111-5111-8111-111111111111", "-o", dir.file("missing")], environment: pusher)
        #expect(unknownTag.status == 1 && unknownTag.stderr.hasSuffix("(MANIFEST_UNKNOWN: manifest unknown)\(hint)\n"), "\(unknownTag.stderr)")
        let inspected = try edgepack(["inspect", "\(repository):11111111-1111-5111-8111-111111111111"], environment: pusher)
        #expect(inspected.status == 1 && inspected.stderr.hasSuffix("\(hint)\n"), "inspect names the next command too: \(inspected.stderr)")
    }

    /// `-o` as a shell takes it (relative, with `..`, through a symlinked folder), and `-q` prints nothing.
    @Test func outputPathsResolveAsAShellsAndQuietIsQuiet() throws {
        let registry = "\(registries.token)/paths\(UUID().uuidString.prefix(6).lowercased())"
        let (published, record) = try publish("ccfraud/edgepack.yaml", registry: registry)  // a directory model too
        #expect(published.succeeded, "\(published.stderr)")
        let dir = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir.file("work/sub"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir.file("elsewhere"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: dir.file("work/link"), withDestinationPath: dir.file("elsewhere"))
        let url = try #require(record).pipeline_url
        let pulled = try edgepack(["pull", url, "-o", "../out", "-q"], environment: pusher, directory: dir.file("work/sub"))
        #expect(pulled.status == 0 && pulled.stdout.isEmpty && pulled.stderr.isEmpty, "\(pulled.stdout)\(pulled.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir.file("work/out/pipeline.json")))
        let linked = try edgepack(["pull", url, "-o", "link/pulled", "-q"], environment: pusher, directory: dir.file("work"))
        #expect(linked.status == 0, "\(linked.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir.file("elsewhere/pulled/pipeline.json")))
        let exported = try edgepack(["export", fixture("ccfraud/edgepack.yaml"), "-o", "../b.tar", "-q"], directory: dir.file("work/sub"))
        #expect(exported.status == 0 && exported.stdout.isEmpty && exported.stderr.isEmpty, "\(exported.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir.file("work/b.tar")))
        let built = try edgepack(["build", fixture("ccfraud/edgepack.yaml"), "-o", "../layout", "--json"], directory: dir.file("work/sub"))
        struct Written: Decodable { struct Entry: Decodable { var reference: String }; var artifacts: [Entry] }
        let written = try JSONDecoder().decode(Written.self, from: Data(built.stdout.utf8))
        #expect(written.artifacts.count == 6 && built.stderr.isEmpty, "\(built.stdout)\(built.stderr)")
    }

    @Test func noTagPullsTheNewestPublishedVersionAndSaysWhich() throws {
        let registry = "\(registries.token)/newest\(UUID().uuidString.prefix(6).lowercased())"
        let dir = try TemporaryDirectory()
        let root = try copyFixture("vgg16-clustering", into: dir)
        let older = try edgepack(["publish", root + "/edgepack.yaml", "--registry", registry, "--json"], environment: pusher.merging(["SOURCE_DATE_EPOCH": "1800000000"]) { $1 })
        let text = try String(contentsOfFile: root + "/edgepack.yaml", encoding: .utf8).replacingOccurrences(of: "memory: 4Gi", with: "memory: 6Gi")
        try text.write(toFile: root + "/edgepack.yaml", atomically: true, encoding: .utf8)
        let newer = try edgepack(["publish", root + "/edgepack.yaml", "--registry", registry, "--json"], environment: pusher.merging(["SOURCE_DATE_EPOCH": "1900000000"]) { $1 })
        #expect(older.succeeded && newer.succeeded, "\(older.stderr)\(newer.stderr)")
        let version = try JSONDecoder().decode(Record.self, from: Data(newer.stdout.utf8)).pipeline_version
        let pulled = try edgepack(["pull", "\(registry)/pipelines/vgg16-clustering-pipeline", "-o", dir.file("pulled")], environment: pusher)
        #expect(pulled.succeeded, "\(pulled.stderr)")
        // Created: when its first publish record was made (the wall clock), not the manifest's pinned time.
        #expect(pulled.stderr.hasPrefix("Using the newest published version: \(version) (created 20") && pulled.stderr.hasSuffix("Z)\n"), "\(pulled.stderr)")
        let config = try String(contentsOfFile: dir.file("pulled/pipeline.json"), encoding: .utf8)
        #expect(config.contains(version) && config.contains("6Gi"))
        let nothing = try edgepack(["pull", "\(registry)/pipelines/never-published", "-o", dir.file("none")], environment: pusher)
        #expect(nothing.stderr == "edgepack: error: no published versions of never-published under \(registry): check the name, or list them with 'edgepack publishes never-published --registry \(registry)'\n")
        // A typo in publishes: exit 1, the nearest name, and what is there.
        let typo = try edgepack(["publishes", "vgg16-clustering-pipelin", "--registry", registry], environment: pusher)
        #expect(typo.status == 1)
        #expect(typo.stderr == "edgepack: error: no publishes of vgg16-clustering-pipelin in \(registry); did you mean 'vgg16-clustering-pipeline'?; pipelines there: vgg16-clustering-pipeline\n", "\(typo.stderr)")
    }
}
