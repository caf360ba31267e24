import Foundation
import Testing
import TestSupport
@testable import OCIKit

/// A small artifact with one file layer, for layout and archive tests.
func sampleArtifact(_ dir: TemporaryDirectory, name: String = "demo", content: String = "model weights") throws -> Artifact {
    let path = try dir.write("\(name).bin", content)
    let digest = try FileDigester(cache: nil).digest(file: path)
    let layer = Blob(descriptor: Descriptor(mediaType: MediaType.ModelPack.weightRaw, digest: digest.digest, size: digest.size,
                                            annotations: [AnnotationKey.title: "\(name).bin"]), content: .file(path: path))
    let config = Blob(mediaType: MediaType.ModelPack.config, bytes: Array(#"{"descriptor":{"name":"\#(name)"}}"#.utf8))
    let manifest = Manifest(artifactType: MediaType.ModelPack.artifactType, config: config.descriptor, layers: [layer.descriptor])
    return try Artifact(reference: "models/\(name):v1", manifest: manifest, config: config, layers: [layer])
}

/// Writes artifacts into a layout directory through the copier; returns the blobs written (manifests included).
@discardableResult
func writeLayout(_ artifacts: [Artifact], to directory: String) throws -> Int {
    let summary = try Copier.copy(artifacts, to: try LayoutDirectoryDestination(directory: directory, digester: FileDigester(cache: nil)))
    return summary.blobsCopied + summary.manifestsWritten
}

func exportArchive(_ artifacts: [Artifact], to path: String) throws {
    try Copier.copy(artifacts, to: LayoutArchiveDestination(path: path, mtime: 0))
}

@Suite struct LayoutTests {
    @Test func writesAStandardLayout() throws {
        let dir = try TemporaryDirectory()
        let artifact = try sampleArtifact(dir)
        let layout = dir.file("layout")
        let written = try writeLayout([artifact], to: layout)
        #expect(written == 3)
        #expect(try String(contentsOfFile: layout + "/oci-layout", encoding: .utf8) == #"{"imageLayoutVersion":"1.0.0"}"#)
        let index = try CanonicalJSON.decode(Index.self, from: Array(try Data(contentsOf: URL(fileURLWithPath: layout + "/index.json"))), what: "index")
        #expect(index.manifests.map { $0.annotations?[AnnotationKey.refName] } == ["models/demo:v1"])
        for blob in [artifact.manifestBlob, artifact.config] + artifact.layers {
            let path = layout + "/blobs/sha256/" + blob.descriptor.digest.encoded
            #expect(try FileDigester(cache: nil).digest(file: path).digest == blob.descriptor.digest)
        }
        let check = try run(repositoryRoot + "/scripts/check-oci-schemas", [layout])
        #expect(check.status == 0 || check.status == 2, "\(check.stdout)\(check.stderr)")
    }

    @Test func secondWriteReusesVerifiedBlobsAndRepairsCorruptOnes() throws {
        let dir = try TemporaryDirectory()
        let artifact = try sampleArtifact(dir)
        let layout = dir.file("layout")
        try writeLayout([artifact], to: layout)
        #expect(try writeLayout([artifact], to: layout) == 0)
        let layerPath = layout + "/blobs/sha256/" + artifact.layers[0].descriptor.digest.encoded
        try Data("tampered".utf8).write(to: URL(fileURLWithPath: layerPath))
        #expect(try writeLayout([artifact], to: layout) == 1)
        #expect(try FileDigester(cache: nil).digest(file: layerPath).digest == artifact.layers[0].descriptor.digest)
    }

    @Test func updatingKeepsOtherReferences() throws {
        let dir = try TemporaryDirectory()
        let layout = dir.file("layout")
        try writeLayout([try sampleArtifact(dir, name: "one")], to: layout)
        try writeLayout([try sampleArtifact(dir, name: "two")], to: layout)
        let index = try CanonicalJSON.decode(Index.self, from: Array(try Data(contentsOf: URL(fileURLWithPath: layout + "/index.json"))), what: "index")
        #expect(index.manifests.compactMap { $0.annotations?[AnnotationKey.refName] } == ["models/one:v1", "models/two:v1"])
    }

    @Test func refusesADirectoryThatIsNotALayout() throws {
        let dir = try TemporaryDirectory()
        try dir.write("notalayout/readme.txt", "mine")
        let error = try #require(throws: OCIError.self) {
            try writeLayout([try sampleArtifact(dir)], to: dir.file("notalayout"))
        }
        #expect(error.message.contains("is not an OCI image layout"))
    }

    @Test func failedWriteLeavesNothingBehind() throws {
        let dir = try TemporaryDirectory()
        let artifact = try sampleArtifact(dir, content: "original")
        try Data("changed after hashing".utf8).write(to: URL(fileURLWithPath: dir.file("demo.bin")))
        #expect(throws: OCIError.self) {
            try writeLayout([artifact], to: dir.file("layout"))
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0 != "demo.bin" }
        #expect(leftovers.isEmpty, "left behind: \(leftovers)")
    }
}

@Suite struct ArchiveTests {
    @Test func exportIsByteIdenticalAndReadable() throws {
        let dir = try TemporaryDirectory()
        let artifacts = [try sampleArtifact(dir, name: "one"), try sampleArtifact(dir, name: "two", content: "other")]
        try exportArchive(artifacts, to: dir.file("a.tar"))
        try exportArchive(artifacts.reversed(), to: dir.file("b.tar"))
        #expect(FileManager.default.contentsEqual(atPath: dir.file("a.tar"), andPath: dir.file("b.tar")))
        let contents = try ImageLayoutBundle(path: dir.file("a.tar"))
        try contents.verify()
        let summaries = try contents.summaries()
        #expect(summaries.map(\.reference) == ["models/one:v1", "models/two:v1"])
        #expect(summaries[0].size == artifacts[0].manifestBlob.descriptor.size + artifacts[0].config.descriptor.size + artifacts[0].layers[0].descriptor.size)
        let names = try run("bsdtar", ["-tf", dir.file("a.tar")]).stdout.split(separator: "\n")
        #expect(names.prefix(4) == ["oci-layout", "index.json", "blobs/", "blobs/sha256/"])
    }

    @Test func verifyFindsACorruptBlob() throws {
        let dir = try TemporaryDirectory()
        let artifact = try sampleArtifact(dir, content: "UNIQUE-CONTENT-MARKER")
        let tar = dir.file("bundle.tar")
        try exportArchive([artifact], to: tar)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: tar))
        let marker = bytes.range(of: Data("UNIQUE-CONTENT-MARKER".utf8))!
        bytes[marker.lowerBound] = UInt8(ascii: "X")
        try bytes.write(to: URL(fileURLWithPath: tar))
        #expect(throws: Never.self) { try ImageLayoutBundle(path: tar).summaries() }
        let error = try #require(throws: OCIError.self) { try ImageLayoutBundle(path: tar).verify() }
        #expect(error.code == .digestMismatch)
    }

    @Test func notABundleIsAClearError() throws {
        let dir = try TemporaryDirectory()
        let error = try #require(throws: OCIError.self) { try ImageLayoutBundle(path: try dir.write("x.tar", String(repeating: "hello", count: 200))) }
        #expect(error.message.contains("x.tar"))
    }

    @Test func failedExportLeavesNoFile() throws {
        let dir = try TemporaryDirectory()
        let artifact = try sampleArtifact(dir, content: "original")
        try Data("changed".utf8).write(to: URL(fileURLWithPath: dir.file("demo.bin")))
        #expect(throws: OCIError.self) { try exportArchive([artifact], to: dir.file("bundle.tar")) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["demo.bin"])
    }
}

@Suite struct VerifiedCopyTests {
    /// With a trusted cache entry the export copies without hashing; a change after hashing is still caught.
    @Test func cachedFilesAreCheckedByStatusAndChangesAreCaught() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("model.bin", "weights version one")
        Thread.sleep(forTimeInterval: 0.2)  // past the cache's racy window
        let digester = FileDigester(cache: DigestCache(location: dir.file("cache.json")))
        let digest = try digester.digest(file: path)
        let blob = Blob(descriptor: Descriptor(mediaType: MediaType.ModelPack.weightRaw, digest: digest.digest, size: digest.size), content: .file(path: path))
        #expect(digester.trustedStatus(of: path, digest: digest.digest) != nil)
        let sink = MemorySink()
        try blob.write(verifiedTo: sink, digester: digester)
        #expect(sink.bytes == Array("weights version one".utf8))
        try Data("weights version two".utf8).write(to: URL(fileURLWithPath: path))
        #expect(digester.trustedStatus(of: path, digest: digest.digest) == nil)
        #expect(throws: OCIError.self) { try blob.write(verifiedTo: MemorySink(), digester: digester) }
    }
}
