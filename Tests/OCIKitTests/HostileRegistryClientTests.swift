import Foundation
import Testing
import TestSupport
@testable import OCIKit

/// The registry client against `scripts/hostile-registry`: downloads stop at a blob's declared size, and a stalled
/// registry fails in about two timeouts with a message that says what stalled.
@Suite struct HostileRegistryClientTests {
    private func connect(_ hostile: HostileRegistry, timeout: Int = 30) throws -> RegistryClient {
        var options = RegistryOptions()
        options.plainHTTP = true
        options.transport.connectTimeoutSeconds = timeout
        options.transport.stallSeconds = timeout
        return try RegistryClient.connect(host: hostile.registry, credential: .password(username: "u", password: "p"), options: options)
    }

    private let repository = Repository(unchecked: "edge/pipelines/p")

    /// The manifest's config: a 12 KiB blob, which the endless and stall cases misbehave on.
    private func config(_ client: RegistryClient) throws -> Descriptor {
        try client.fetchManifest(.tag("v1"), in: repository).manifest.config
    }

    private func expectOverrun(_ error: OCIError?, _ descriptor: Descriptor) {
        #expect(error?.code == .sizeMismatch && error?.message.contains("more than the \(descriptor.size) bytes declared for \(descriptor.digest)") == true, "\(String(describing: error))")
    }

    @Test func aDownloadToAFileStopsAtTheDeclaredSize() throws {
        let hostile = try HostileRegistry("endless-blob")
        let dir = try TemporaryDirectory()
        var options = RegistryOptions()
        options.plainHTTP = true
        options.partialDownloads = dir.file("partial")
        let client = try RegistryClient.connect(host: hostile.registry, credential: .password(username: "u", password: "p"), options: options)
        let descriptor = try config(client)
        let error = #expect(throws: OCIError.self) { try client.fetchBlob(descriptor, from: repository, toFile: dir.file("config.json")) }
        expectOverrun(error, descriptor)
        #expect(!FileManager.default.fileExists(atPath: dir.file("config.json")))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("partial")).isEmpty)
        // The client hung up: the registry got to send a few MiB into the socket's buffers at most, not all 64.
        var sent: Int?
        for _ in 0..<100 where sent == nil {
            sent = hostile.endlessBytesSent()
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(try #require(sent) < 32 << 20)
    }

    @Test func aDownloadIntoMemoryOrAStreamStopsAtTheDeclaredSize() throws {
        let hostile = try HostileRegistry("endless-blob")
        let client = try connect(hostile)
        let descriptor = try config(client)
        let memory = MemorySink()
        expectOverrun(#expect(throws: OCIError.self) { try client.fetchBlob(descriptor, from: repository, into: memory) }, descriptor)
        #expect(memory.bytes.count <= descriptor.size)
        let pipe = BytePipe(capacity: 1 << 20)
        expectOverrun(#expect(throws: OCIError.self) { try client.streamBlob(descriptor, from: repository, offset: 0, into: pipe) }, descriptor)
    }

    @Test func aStalledManifestFailsInAboutTwoTimeoutsNamingIt() throws {
        let hostile = try HostileRegistry("stall-manifest")
        let client = try connect(hostile, timeout: 2)
        let started = Date()
        let error = #expect(throws: OCIError.self) { try client.fetchManifest(.tag("v1"), in: repository) }
        #expect(Date().timeIntervalSince(started) < 8)
        // Tried twice: the line says so, with the time it took.
        #expect(error?.message.hasPrefix("\(hostile.registry) sent no byte of manifest edge/pipelines/p:v1 for 2 s: the registry stalled (2 tries over 4.") == true, "\(error?.message ?? "")")
    }

    @Test func aStalledBlobFailsInAFewTimeoutsNamingIt() throws {
        let hostile = try HostileRegistry("stall-blob")
        let dir = try TemporaryDirectory()
        let client = try connect(hostile, timeout: 2)
        let descriptor = try config(client)
        let started = Date()
        let error = #expect(throws: OCIError.self) { try client.fetchBlob(descriptor, from: repository, toFile: dir.file("config.json")) }
        // Half the blob each time, then nothing: the first stall made progress, the next two did not.
        #expect(Date().timeIntervalSince(started) < 10)
        #expect(error?.message.hasPrefix("\(hostile.registry) stopped sending blob \(descriptor.digest) of edge/pipelines/p: no byte for 2 s") == true, "\(error?.message ?? "")")
        #expect(!FileManager.default.fileExists(atPath: dir.file("config.json")))
    }

    /// A registry that sends one byte a try and drops the connection makes progress every time, but not enough to
    /// start the retries again: the download fails after the usual number of tries, not one per byte.
    @Test func aBlobDribbledAByteATimeFailsAfterTheUsualTries() throws {
        let hostile = try HostileRegistry("dribble-blob")
        let dir = try TemporaryDirectory()
        let client = try connect(hostile, timeout: 2)
        let descriptor = try config(client)
        #expect(throws: OCIError.self) { try client.fetchBlob(descriptor, from: repository, toFile: dir.file("config.json")) }
        let tries = hostile.registryRequestPaths().filter { $0.contains("/blobs/") }.count
        #expect(tries >= 2 && tries <= client.options.retry.attempts, "\(tries) tries for a \(descriptor.size)-byte blob")
        #expect(!FileManager.default.fileExists(atPath: dir.file("config.json")))
    }
}
