import Foundation
import Synchronization
import Testing
import TestSupport
@testable import OCIKit

/// The pipe between a download and the upload reading it, and the reader's hold on the blob's last bytes.
@Suite struct BytePipeTests {
    @Test func everyByteArrivesInOrderThroughASmallBuffer() throws {
        let bytes = (0..<3_000_000).map { _ in UInt8.random(in: 0...255) }
        let pipe = BytePipe(capacity: 64 << 10)
        Thread.detachNewThread {
            var offset = 0
            pipe.finish(Result {
                try bytes.withUnsafeBytes { all in
                    while offset < all.count {
                        let step = min(Int.random(in: 1...200_000), all.count - offset)
                        try pipe.write(UnsafeRawBufferPointer(rebasing: all[offset..<offset + step]))
                        offset += step
                    }
                }
            })
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 150_000)
        while true {
            let wanted = Int.random(in: 1...buffer.count)
            let count = try buffer.withUnsafeMutableBytes { try pipe.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<wanted])) }
            if count == 0 { break }
            received += buffer[0..<count]
        }
        #expect(received == bytes)
    }

    @Test func aWriterFailureReachesTheReaderAfterWhatWasWritten() throws {
        let pipe = BytePipe(capacity: 16)
        try [UInt8]([1, 2, 3]).withUnsafeBytes { try pipe.write($0) }
        pipe.finish(.failure(OCIError(.network, "cut")))
        var buffer = [UInt8](repeating: 0, count: 8)
        #expect(try buffer.withUnsafeMutableBytes { try pipe.read(into: $0) } == 3)
        let error = try #require(throws: OCIError.self) { try buffer.withUnsafeMutableBytes { try pipe.read(into: $0) } }
        #expect(error.code == .network)
    }

    @Test func aReaderThatGoesAwayStopsABlockedWriter() throws {
        let pipe = BytePipe(capacity: 4)
        let outcome = Mutex<OCIError?>(nil)
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            do {
                try [UInt8](repeating: 7, count: 100).withUnsafeBytes { try pipe.write($0) }  // blocks once 4 bytes wait
            } catch let error as OCIError {
                outcome.withLock { $0 = error }
            } catch {}
            done.signal()
        }
        Thread.sleep(forTimeInterval: 0.05)
        pipe.closeReading()
        #expect(done.wait(timeout: .now() + 5) == .success)
        #expect(outcome.withLock { $0?.code } == .cancelled)
    }

    /// A directory's tar is read on one thread and hashed or written on another: every byte arrives in order,
    /// a failed read reaches the caller, and a failed write stops the reading (the call returns, no thread left).
    @Test func readAheadPassesEveryByteAndEitherSidesFailure() throws {
        let sink = MemorySink()
        try ReadAhead.run(into: sink) { out in
            for index in 0..<1000 { try [UInt8](repeating: UInt8(index % 256), count: 3000).withUnsafeBytes { try out.write($0) } }
        }
        #expect(sink.bytes.count == 3_000_000 && sink.bytes[2_999_999] == UInt8(999 % 256) && sink.bytes[3000] == 1)
        let readFailure = try #require(throws: OCIError.self) { try ReadAhead.run(into: MemorySink()) { _ in throw OCIError(.io, "cannot read") } }
        #expect(readFailure.message == "cannot read")
        final class FullDisk: ByteSink {
            func write(_ bytes: UnsafeRawBufferPointer) throws { throw OCIError(.io, "disk full") }
        }
        let writeFailure = try #require(throws: OCIError.self) {
            try ReadAhead.run(into: FullDisk()) { out in
                while true { try [UInt8](repeating: 0, count: 4096).withUnsafeBytes { try out.write($0) } }  // stops only when told
            }
        }
        #expect(writeFailure.message == "disk full")
    }

    /// A reader of the blob's end hands over its last bytes only once the download has checked the whole blob:
    /// a download whose digest check fails fails that read, so the upload never completes.
    @Test func theLastBytesWaitForTheDownloadsCheck() throws {
        for verdict in [Result<Void, any Error>.success(()), .failure(OCIError(.digestMismatch, "hashes to something else"))] {
            let download = StreamedDownload(position: 0)
            try [UInt8](repeating: 1, count: 10).withUnsafeBytes { try download.pipe.write($0) }
            let reader = StreamedBlobReader(download, length: 10, endsTheBlob: true) { _ in }
            var buffer = [UInt8](repeating: 0, count: 6)
            #expect(try buffer.withUnsafeMutableBytes { try reader.read(into: $0) } == 6)
            let finished = Mutex(false)
            Thread.detachNewThread {
                Thread.sleep(forTimeInterval: 0.1)
                finished.withLock { $0 = true }
                download.pipe.finish(verdict)
            }
            let last = Result { try buffer.withUnsafeMutableBytes { try reader.read(into: $0) } }
            #expect(finished.withLock { $0 }, "the last bytes were handed over before the download's check")
            switch verdict {
            case .success: #expect(try last.get() == 4)
            case .failure: #expect(throws: OCIError.self) { try last.get() }
            }
        }
    }
}

private let reader = Credential.password(username: "reader", password: "reader-pass")
private let pusher = Credential.password(username: "edgepack", password: "edgepack-pass")

private func plainOptions(chunkSize: Int64? = nil) -> RegistryOptions {
    var options = RegistryOptions()
    options.plainHTTP = true
    options.chunkSize = chunkSize
    return options
}

/// Mirroring with no blob cache: blobs go from the source's download straight into the destination's upload
/// (source and destination on different hosts, so nothing is mounted).
@Suite struct StreamedMirrorTests {
    let image = TestImage.shared
    let registries = TestRegistries.shared

    private func mirror(from source: String, into client: RegistryClient, prefix: String) throws -> (MirroredImage, ResolvedImage) {
        let spec = try ImageSourceSpec(parsing: source, relativeTo: ".")
        let resolved = try ImageResolver(registryOptions: plainOptions(), cache: nil).resolve(spec, platform: .only(Platform(architecture: "arm64")), credential: reader)
        let mirrored = try Copier.mirror(resolved, to: RegistryDestination(client: client, prefixPath: prefix), repository: "engine")
        return (mirrored, resolved)
    }

    private func expectTheArmImage(_ mirrored: MirroredImage, at host: String) throws {
        let arm = try #require(image.summary.platforms["linux/arm64"])
        #expect(mirrored.digest.string == arm.manifest && mirrored.summary.blobsCopied == 4)
        let out = try TemporaryDirectory()
        let copy = try run("skopeo", ["copy", "-q", "--src-tls-verify=false", "--src-creds", "reader:reader-pass",
                                      "docker://\(host)/\(mirrored.repository):v1", "oci:\(out.file("out")):x"])
        #expect(copy.succeeded, "skopeo could not read the mirror back: \(copy.stderr)")
    }

    /// Each chunk of a chunked upload goes on with the download the chunk before it used: no second request.
    @Test func aChunkedUploadReadsOneDownloadPerBlob() throws {
        let client = try RegistryClient.connect(host: registries.token, credential: pusher, options: plainOptions(chunkSize: 100_000))
        let (mirrored, resolved) = try mirror(from: "\(image.upstream):v1", into: client, prefix: uniquePrefix("streamed-chunks"))
        try expectTheArmImage(mirrored, at: registries.token)
        let source = try #require((resolved.source as? RegistrySource)?.client.counters)
        #expect(source.fallbacks["resumed-download"] == nil, "a chunk started a download of its own: \(source.fallbacks)")
        #expect(source.downloadedBytes == mirrored.summary.bytesCopied, "downloaded \(source.downloadedBytes) bytes to copy \(mirrored.summary.bytesCopied)")
    }

    /// A download cut mid-body goes on with a Range request under the upload reading it.
    @Test func aDownloadCutMidBodyGoesOnUnderTheUpload() throws {
        let prefix = uniquePrefix("streamed-cutdown")
        let copy = try run("skopeo", ["copy", "-q", "--all", "--preserve-digests", "--src-tls-verify=false", "--dest-tls-verify=false",
                                      "--src-creds", "reader:reader-pass", "--dest-creds", "edgepack:edgepack-pass",
                                      "docker://\(image.local):v1", "docker://\(registries.spare)/\(prefix)/upstream:v1"])
        try #require(copy.succeeded, "\(copy.stderr)")
        try registries.setQuirks(["cutdown": "50", "seed": "4"], match: "/v2/\(prefix)/upstream/")
        let (mirrored, resolved) = try mirror(from: "\(registries.quirky)/\(prefix)/upstream:v1", into: try connectToTokenRegistry(), prefix: uniquePrefix("streamed-cut"))
        try expectTheArmImage(mirrored, at: registries.token)
        let source = try #require((resolved.source as? RegistrySource)?.client.counters)
        #expect(source.retries >= 1 && source.fallbacks["resumed-download"] ?? 0 >= 1, "no download was cut: \(source.fallbacks)")
    }

    /// An upload cut mid-chunk resumes at the registry's offset, and reads the rest of the blob from there
    /// (a ranged download, checked by the registry's own digest check as it completes the blob).
    @Test func anUploadResumedMidBlobReadsTheSourceFromTheRegistrysOffset() throws {
        let prefix = uniquePrefix("streamed-cutup")
        try registries.setQuirks(["cut": "30", "seed": "7", "keeppartial": "0"], match: "/v2/\(prefix)/")
        // A chunk cut five times in a row would end the upload (30% each); this test is about the resumed reads.
        var options = plainOptions(chunkSize: 100_000)
        options.retry.attempts = 12
        let client = try RegistryClient.connect(host: registries.quirky, credential: pusher, options: options)
        let (mirrored, resolved) = try mirror(from: "\(image.upstream):v1", into: client, prefix: prefix)
        try expectTheArmImage(mirrored, at: registries.spare)
        #expect(client.counters.retries >= 1, "no upload was cut: \(client.counters.fallbacks)")
        let source = try #require((resolved.source as? RegistrySource)?.client.counters)
        #expect(source.fallbacks["resumed-download"] ?? 0 >= 1, "no upload resumed mid-blob: \(source.fallbacks)")
    }
}
