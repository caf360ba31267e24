import Foundation
import Testing
import TestSupport
@testable import OCIKit

@Suite struct ImageSourceSpecTests {
    @Test func registryReferencesKeepTagAndDigest() throws {
        let digest = "sha256:" + String(repeating: "ab", count: 32)
        guard case .registry(let tagged) = try ImageSourceSpec(parsing: "ghcr.io/wallaroolabs/engine:v2023.3.0", relativeTo: "/base") else { Issue.record(); return }
        #expect(tagged.registry == "ghcr.io" && tagged.repository == "wallaroolabs/engine" && tagged.tag == "v2023.3.0")
        let pinned = try ImageSourceSpec(parsing: "127.0.0.1:5000/engine@\(digest)", relativeTo: "/base")
        #expect(pinned.mirrorTag == "sha256-" + String(repeating: "ab", count: 32))
        let both = try ImageSourceSpec(parsing: "docker://registry.example.com/a/b:v1@\(digest)", relativeTo: "/base")
        guard case .registry(let reference) = both else { Issue.record(); return }
        #expect(reference.tag == "v1" && reference.digest?.string == digest && both.mirrorTag == "v1")
        #expect(ImageResolver.endpoint(try ImageReference(parsing: "busybox:1")) == ("registry-1.docker.io", "library/busybox"))
    }

    @Test func localTransportsSplitPathAndReference() throws {
        let archive = try ImageSourceSpec(parsing: "oci-archive:images/bundle.tar:engine:v2", relativeTo: "/base")
        guard case .ociArchive(let path, let reference) = archive else { Issue.record(); return }
        #expect(path.relative == "images/bundle.tar" && reference == "engine:v2" && archive.mirrorTag == "v2")
        guard case .ociLayout(let dir, nil) = try ImageSourceSpec(parsing: "oci:./layout", relativeTo: "/base") else { Issue.record(); return }
        #expect(dir.relative == "./layout")
        guard case .dockerArchive(let saved, nil) = try ImageSourceSpec(parsing: "docker-archive:engine.tar", relativeTo: "/base") else { Issue.record(); return }
        #expect(saved.description == "engine.tar")
    }

    @Test(arguments: ["oci-archive:/etc/image.tar", "oci:../outside", "docker-archive:a/../../b.tar", "oci-archive:", "oci-archive:x.tar:"])
    func pathsThatLeaveTheFolderAreRefused(text: String) throws {
        #expect(throws: OCIError.self) { try ImageSourceSpec(parsing: text, relativeTo: "/base") }
    }

    @Test func unpinnedAndUnsupportedSourcesAreRefused() throws {
        let unpinned = try #require(throws: OCIError.self) { try ImageSourceSpec(parsing: "ghcr.io/acme/engine", relativeTo: ".") }
        #expect(unpinned.message.contains("no tag or digest"))
        let daemon = try #require(throws: OCIError.self) { try ImageSourceSpec(parsing: "docker-daemon:engine:v1", relativeTo: ".") }
        #expect(daemon.message.contains("not supported"))
    }

    @Test func aSymlinkOutOfTheFolderIsRefusedWhenOpened() throws {
        let dir = try TemporaryDirectory()
        let outside = try TemporaryDirectory()
        try outside.write("image.tar", "x")
        try FileManager.default.createDirectory(atPath: dir.file("def"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: dir.file("def/image.tar"), withDestinationPath: outside.file("image.tar"))
        let spec = try ImageSourceSpec(parsing: "oci-archive:image.tar", relativeTo: dir.file("def"))
        let error = try #require(throws: OCIError.self) { try ImageResolver(cache: nil).resolve(spec, platform: .all) }
        #expect(error.code == .unsafePath, "\(error)")
    }

    @Test func platformsParseAndMatch() throws {
        let arm = try Platform(parsing: "linux/arm64")
        #expect(arm.accepts(Platform(architecture: "arm64", variant: "v8")))
        #expect(try Platform(parsing: "linux/arm64/v8").accepts(Platform(architecture: "arm64")))
        #expect(!(try Platform(parsing: "linux/arm/v7")).accepts(Platform(architecture: "arm", variant: "v6")))
        #expect(!arm.accepts(Platform(architecture: "amd64")))
        #expect(throws: OCIError.self) { try Platform(parsing: "linux") }
        let decoded = try CanonicalJSON.decode(Descriptor.self, from: Array(#"{"mediaType":"m","digest":"sha256:\#(String(repeating: "0", count: 64))","size":1,"platform":{"os":"linux","architecture":"arm64","os.version":"1"}}"#.utf8), what: "d")
        #expect(decoded.platform?.architecture == "arm64" && decoded.platform?.osVersion == "1")
    }
}
