import Foundation
import Testing
import TestSupport
@testable import OCIKit

/// Writes a tar holding a valid layout header and index plus `extra` (directories for nil content).
func layoutTar(_ path: String, index: Index = Index(manifests: []), blobs: [[UInt8]] = [], extra: [(String, [UInt8]?)] = [], symlink: (String, String)? = nil) throws {
    try AtomicFile.write(to: path) { sink in
        let tar = try TarArchiveWriter(to: sink, mtime: 0)
        try tar.addFile("oci-layout", bytes: Array(#"{"imageLayoutVersion":"1.0.0"}"#.utf8))
        try tar.addFile("index.json", bytes: try CanonicalJSON.encode(index))
        try tar.addDirectory("blobs")
        try tar.addDirectory("blobs/sha256")
        for blob in blobs { try tar.addFile("blobs/sha256/" + SHA256Hasher.digest(blob).encoded, bytes: blob) }
        for (name, bytes) in extra {
            if let bytes { try tar.addFile(name, bytes: bytes) } else { try tar.addDirectory(name) }
        }
        if let (name, target) = symlink { try tar.addSymlink(name, target: target) }
        try tar.finish()
    }
}

@Suite struct BundleValidationTests {
    @Test(arguments: ["models/../../../victim/app:latest", "/victim/app:latest", "models//app:v1", "Models/app:v1",
                      "models/app", "models/app:-bad", "models/app:" + String(repeating: "t", count: 129), "models/ap\u{0}p:v1"])
    func refusesAReferenceNameThatCouldLeaveThePrefix(name: String) throws {
        #expect(throws: OCIError.self) { try ReferenceName(parsing: name) }
        let dir = try TemporaryDirectory()
        let artifact = try sampleArtifact(dir)
        var entry = artifact.indexDescriptor
        entry.annotations = [AnnotationKey.refName: name]
        try layoutTar(dir.file("b.tar"), index: Index(manifests: [entry]),
                      blobs: [artifact.manifestBlob, artifact.config].map { blob in if case .bytes(let b) = blob.content { b } else { [] } })
        let error = #expect(throws: OCIError.self) { try ImageLayoutBundle(path: dir.file("b.tar")) }
        #expect(error?.code == .unsafePath, "\(String(describing: error))")
        #expect(error?.description.contains("\u{0}") == false)
    }

    @Test(arguments: ["models/ccfraud:2c5968b7-62fa-49f8-9489-aaf84cfb80aa", "pipelines/a.b__c--d:v1.0_rc-1", "charts/x:0.0.1-abc", "engine:v2023.3.0-main-3731"])
    func acceptsOCIGrammar(name: String) throws {
        let parsed = try ReferenceName(parsing: name)
        #expect(parsed.repository(under: "site/edge").hasPrefix("site/edge/"))
    }

    @Test(arguments: ["../evil", "/etc/evil", "blobs/../../evil", "blobs/sha256/../../../evil", "blobs/sha256/nothex", "blobs/md5/abc",
                      "blobs/sha256/" + String(repeating: "a", count: 63), "extra.txt", "blobs/sha256/x/y"])
    func refusesAnEntryOutsideTheLayoutGrammar(name: String) throws {
        let dir = try TemporaryDirectory()
        try layoutTar(dir.file("b.tar"), extra: [(name, Array("x".utf8))])
        let error = #expect(throws: OCIError.self) { try ImageLayoutBundle(path: dir.file("b.tar")) }
        #expect(error?.code == .unsafePath, "\(name): \(String(describing: error))")
    }

    @Test func refusesLinksUnknownDirectoriesAndRepeatedEntries() throws {
        let dir = try TemporaryDirectory()
        let hex = String(repeating: "a", count: 64)
        try layoutTar(dir.file("link.tar"), symlink: ("blobs/sha256/" + hex, "/etc/passwd"))
        try layoutTar(dir.file("dir.tar"), extra: [("blobs/sha256/sub", nil)])
        try layoutTar(dir.file("twice.tar"), extra: [("index.json", Array("{}".utf8))])
        for name in ["link.tar", "dir.tar", "twice.tar"] {
            #expect(throws: OCIError.self, "\(name)") { try ImageLayoutBundle(path: dir.file(name)) }
        }
        // The layout's own grammar, with and without a leading "./", is fine.
        try layoutTar(dir.file("good.tar"), blobs: [Array("blob".utf8)])
        #expect(try ImageLayoutBundle(path: dir.file("good.tar")).index.manifests.isEmpty)
    }

    @Test(arguments: ["../../etc/passwd", "/etc/passwd", "a/../../b", "", ".", "dir\\..\\x", "new\nline"])
    func refusesATitleThatIsNotAPlainRelativePath(title: String) throws {
        let dir = try TemporaryDirectory()
        var artifact = try sampleArtifact(dir)
        artifact.layers[0].descriptor.annotations = [AnnotationKey.title: title]
        let rebuilt = try Artifact(reference: artifact.reference, manifest: Manifest(artifactType: artifact.manifest.artifactType, config: artifact.config.descriptor,
                                   layers: artifact.layers.map(\.descriptor)), config: artifact.config, layers: artifact.layers)
        try exportArchive([rebuilt], to: dir.file("b.tar"))
        let bundle = try ImageLayoutBundle(path: dir.file("b.tar"))
        let error = #expect(throws: OCIError.self) { try bundle.artifacts() }
        #expect(error?.code == .unsafePath)
        #expect(PlainRelativePath.isValid("models/ccfraud.onnx") && PlainRelativePath.isFileName("ccfraud.onnx"))
    }

    @Test func verifyComparesEveryDescriptorSize() throws {
        let dir = try TemporaryDirectory()
        let artifact = try sampleArtifact(dir)
        try exportArchive([artifact], to: dir.file("good.tar"))
        try ImageLayoutBundle(path: dir.file("good.tar")).verify()
        // The index entry claims one byte more than the manifest has.
        var entry = artifact.indexDescriptor
        entry.size += 1
        guard case .bytes(let manifest) = artifact.manifestBlob.content, case .bytes(let config) = artifact.config.content else { return }
        try layoutTar(dir.file("bad.tar"), index: Index(manifests: [entry]), blobs: [manifest, config, Array("model weights".utf8)])
        let error = #expect(throws: OCIError.self) { try ImageLayoutBundle(path: dir.file("bad.tar")).verify() }
        #expect(error?.code == .sizeMismatch, "\(String(describing: error))")
    }

    @Test func refusesATruncatedOrHugeHeaderWithoutCrashing() throws {
        let dir = try TemporaryDirectory()
        try layoutTar(dir.file("b.tar"), blobs: [Array(repeating: 7, count: 2000)])
        let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: dir.file("b.tar"))))
        try Data(bytes.prefix(3000)).write(to: URL(fileURLWithPath: dir.file("cut.tar")))
        #expect(throws: OCIError.self) { try ImageLayoutBundle(path: dir.file("cut.tar")) }
    }

    @Test func theCopierRefusesAnArtifactNameOutsideThePrefix() throws {
        let dir = try TemporaryDirectory()
        var artifact = try sampleArtifact(dir)
        artifact.reference = "models/../../victim/app:latest"
        let error = #expect(throws: OCIError.self) { try Copier.copy([artifact], to: LayoutArchiveDestination(path: dir.file("out.tar"), mtime: 0)) }
        #expect(error?.code == .invalidReference)
        #expect(!FileStatus.exists(dir.file("out.tar")))
    }
}
