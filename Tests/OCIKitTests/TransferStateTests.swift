import Foundation
import Testing
import TestSupport
@testable import OCIKit

@Suite struct TransferStateTests {
    let descriptor = Descriptor(mediaType: "application/octet-stream", digest: SHA256Hasher.digest(Array("model".utf8)), size: 1 << 30)

    @Test func uploadSessionsAreRememberedPerRegistryRepositoryAndDigest() throws {
        let dir = try TemporaryDirectory()
        let store = UploadSessionStore(directory: dir.file("uploads"))
        let location = "https://ghcr.io/v2/acme/models/m/blobs/uploads/5f1c?_state=abc"
        store.save(registry: "ghcr.io", repository: "acme/models/m", descriptor: descriptor, location: location, offset: 4 << 20)
        let session = try #require(store.load(registry: "ghcr.io", repository: "acme/models/m", digest: descriptor.digest))
        #expect(session.location == location && session.offset == 4 << 20 && session.size == 1 << 30)
        #expect(store.load(registry: "ghcr.io", repository: "acme/models/other", digest: descriptor.digest) == nil)
        #expect(store.load(registry: "quay.io", repository: "acme/models/m", digest: descriptor.digest) == nil)
        let file = store.path("ghcr.io", "acme/models/m", descriptor.digest)
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int)
        #expect(mode == 0o600)
        store.remove(registry: "ghcr.io", repository: "acme/models/m", digest: descriptor.digest)
        #expect(store.load(registry: "ghcr.io", repository: "acme/models/m", digest: descriptor.digest) == nil)
    }

    @Test func aCorruptSessionFileIsIgnored() throws {
        let dir = try TemporaryDirectory()
        let store = UploadSessionStore(directory: dir.file("uploads"))
        try dir.write("uploads/" + (store.path("r", "p", descriptor.digest) as NSString).lastPathComponent, "{not json")
        #expect(store.load(registry: "r", repository: "p", digest: descriptor.digest) == nil)
    }

    @Test(arguments: [(nil, 0), ("0-0", 0), ("0-1", 2), ("0-4194303", 4 << 20), ("bytes=0-99", 100)] as [(String?, Int64)])
    func rangeHeadersGiveTheOffsetToGoOnFrom(header: String?, offset: Int64) {
        #expect(BlobUpload.offset(fromRange: header) == offset)
    }

    /// A partial download of `content` left by a killed run after it received `kept`.
    func leftBehind(_ content: [UInt8], kept: [UInt8], in dir: TemporaryDirectory) throws -> Descriptor {
        let blob = Descriptor(mediaType: "application/octet-stream", digest: SHA256Hasher.digest(content), size: Int64(content.count))
        let first = try PartialDownload(descriptor: blob, directory: dir.file("downloads"), beside: dir.file("out"))
        let sink = first.sink(host: "r")
        sink.responseStarted(status: 200)
        try kept.withUnsafeBytes { try sink.write($0) }
        first.close(keeping: true)
        return blob
    }

    @Test func aPartialDownloadKeepsOnlyWhatItCanVerify() throws {
        let dir = try TemporaryDirectory()
        let content = Array("the whole blob".utf8)
        let blob = try leftBehind(content, kept: Array(content.prefix(5)), in: dir)
        // The next run hashes the five bytes kept, drops an error body, and a 206 adds the rest.
        let second = try PartialDownload(descriptor: blob, directory: dir.file("downloads"), beside: dir.file("out"))
        #expect(second.count == 5)
        let sink = second.sink(host: "r")
        sink.responseStarted(status: 503)
        try Array("error".utf8).withUnsafeBytes { try sink.write($0) }
        sink.responseStarted(status: 206)
        try content.dropFirst(5).withUnsafeBytes { try sink.write($0) }
        try sink.verify()
        try second.move(to: dir.file("out"))
        second.close(keeping: false)
        #expect(FileManager.default.contents(atPath: dir.file("out")) == Data(content))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("downloads")).isEmpty)
    }

    @Test func zerosArriveAsHolesAndAStopAfterThemResumesAfterThem() throws {
        let dir = try TemporaryDirectory()
        let zeros = [UInt8](repeating: 0, count: 4 << 20), data = Array("weights".utf8)
        let content = data + zeros + data + zeros
        let blob = Descriptor(mediaType: "application/octet-stream", digest: SHA256Hasher.digest(content), size: Int64(content.count))
        // A run stopped after data, zeros: the zeros were not written but the file grew by them (a hole, which
        // reads as the zeros received), so the next run resumes after them.
        let first = try PartialDownload(descriptor: blob, directory: dir.file("downloads"), beside: dir.file("out"))
        let firstSink = first.sink(host: "r")
        firstSink.responseStarted(status: 200)
        for part in [data, zeros] { try part.withUnsafeBytes { try firstSink.write($0) } }
        first.close(keeping: true)
        let second = try PartialDownload(descriptor: blob, directory: dir.file("downloads"), beside: dir.file("out"))
        #expect(second.count == Int64(data.count + zeros.count))
        let sink = second.sink(host: "r")
        sink.responseStarted(status: 206)
        for part in [data, zeros] { try part.withUnsafeBytes { try sink.write($0) } }
        try sink.verify()
        try second.move(to: dir.file("out"))
        second.close(keeping: false)
        #expect(FileManager.default.contents(atPath: dir.file("out")) == Data(content))
        var status = stat()
        #expect(stat(dir.file("out"), &status) == 0 && Int64(status.st_size) == blob.size)
        #expect(Int64(status.st_blocks) * 512 < 1 << 20, "the zeros take no blocks: \(status.st_blocks)")
    }

    /// A registry that ignores `Range` sends the whole blob again: the part the file holds is skipped, and bytes
    /// kept wrongly by an earlier run fail the digest check (the file is then dropped, not kept).
    @Test func aWholeBlobAnswerToARangeRequestSkipsWhatTheFileHolds() throws {
        let dir = try TemporaryDirectory()
        let content = Array("0123456789".utf8)
        let blob = try leftBehind(content, kept: Array(content.prefix(4)), in: dir)
        let second = try PartialDownload(descriptor: blob, directory: dir.file("downloads"), beside: dir.file("out"))
        let sink = second.sink(host: "r")
        sink.responseStarted(status: 200)
        try content.withUnsafeBytes { try sink.write($0) }
        #expect(second.count == 10)
        try sink.verify()
        second.close(keeping: false)
        let wrong = try leftBehind(content, kept: Array("XXXX".utf8), in: dir)
        let third = try PartialDownload(descriptor: wrong, directory: dir.file("downloads"), beside: dir.file("out"))
        let thirdSink = third.sink(host: "r")
        thirdSink.responseStarted(status: 200)
        try content.withUnsafeBytes { try thirdSink.write($0) }
        #expect(throws: OCIError.self) { try thirdSink.verify() }
        third.close(keeping: false)
    }

    @Test func partialDownloadsNobodyResumedForAWeekAreDropped() throws {
        let dir = try TemporaryDirectory()
        let old = try dir.write("downloads/sha256-\(String(repeating: "a", count: 64)).partial", "stale")
        let recent = try dir.write("downloads/sha256-\(String(repeating: "b", count: 64)).partial", "recent")
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -8 * 24 * 3600)], ofItemAtPath: old)
        PartialDownload.removeAbandoned(in: dir.file("downloads"))
        #expect(!FileManager.default.fileExists(atPath: old))
        #expect(FileManager.default.fileExists(atPath: recent))
    }
}
