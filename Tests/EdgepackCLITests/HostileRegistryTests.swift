import Foundation
import Testing
import TestSupport

/// edgepack against `scripts/hostile-registry` (credentials from the environment, as in CI): credentials never
/// reach the other host (its log shows every request and header), paging and stalls end, each failure one line.
@Suite struct HostileRegistryTests {
    private let credentials = ["OCI_USERNAME": "hostile-user", "OCI_PASSWORD": "hostile-pass"]

    private func expectOneLine(_ result: ProcessResult, _ message: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status == 1, "\(result.stdout)", sourceLocation: sourceLocation)
        #expect(result.stderr.split(separator: "\n").count == 1 && result.stderr.contains(message), "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(!result.stderr.contains("hostile-pass"), sourceLocation: sourceLocation)
    }

    @Test func aRedirectToALookalikeURLIsFollowedWithoutCredentials() throws {
        let hostile = try HostileRegistry("redirect-lookalike")
        let result = try edgepack(["inspect", "\(hostile.registry)/edge/pipelines/p:v1"], environment: credentials)
        #expect(result.status == 1)
        let requests = try hostile.otherHostRequests()
        #expect(!requests.isEmpty, "the redirect was not followed")
        #expect(requests.allSatisfy { $0.authorization == nil }, "\(requests.map(\.headers))")
    }

    @Test func anUploadLocationOnAnotherHostIsRefusedBeforeAnyByteGoesThere() throws {
        let hostile = try HostileRegistry("upload-location-elsewhere")
        let result = try edgepack(["publish", fixture("vgg16-clustering/edgepack.yaml"), "--registry", "\(hostile.registry)/edge"], environment: credentials)
        expectOneLine(result, "\(hostile.registry) sent an upload location on another host (\(hostile.other)); refusing to send credentials or data there")
        #expect(try hostile.otherHostRequests().isEmpty)
    }

    @Test func aNextPageLinkOnAnotherHostIsRefused() throws {
        let hostile = try HostileRegistry("link-elsewhere")
        for arguments in [["publishes", "p", "--registry", "\(hostile.registry)/edge"], ["pull", "\(hostile.registry)/edge/pipelines/p", "-o", NSTemporaryDirectory() + "never-\(UUID())"]] {
            let result = try edgepack(arguments, environment: credentials)
            expectOneLine(result, "sent a next-page link for the tag list of edge/pipelines/p on another host (\(hostile.other))")
        }
        #expect(try hostile.otherHostRequests().isEmpty)
    }

    /// A listed "tag" that is a path is no tag: it never becomes a request for another repository.
    @Test func aListedTagThatIsAPathIsIgnored() throws {
        let hostile = try HostileRegistry("tags-escape")
        let dir = try TemporaryDirectory()
        for arguments in [["publishes", "p", "--registry", "\(hostile.registry)/edge"], ["pull", "\(hostile.registry)/edge/pipelines/p", "-o", dir.file("out")]] {
            _ = try edgepack(arguments, environment: credentials)
        }
        let paths = hostile.registryRequestPaths()
        #expect(paths.contains { $0.contains("/tags/list") }, "the tags were listed: \(paths)")
        #expect(!paths.contains { $0.contains("victim") }, "\(paths)")
    }

    @Test func aNextPageLinkBackToAPageReadStopsPaging() throws {
        let hostile = try HostileRegistry("link-loop", lifetime: 20)
        let started = Date()
        let result = try edgepack(["publishes", "p", "--registry", "\(hostile.registry)/edge"], environment: credentials)
        #expect(Date().timeIntervalSince(started) < 10)
        expectOneLine(result, "sent a next-page link for the tag list of edge/pipelines/p that leads back to a page already read")
    }

    @Test func aPlainHTTPTokenRealmOnAnotherHostGetsNoCredentials() throws {
        // 0.0.0.0 reaches the other host's listener, but is no loopback name: as a remote host over plain HTTP.
        let hostile = try HostileRegistry("realm-elsewhere-plain", auth: "bearer")
        let result = try edgepack(["inspect", "\(hostile.registry)/edge/pipelines/p:v1"], environment: credentials)
        expectOneLine(result, "token service is on another host (0.0.0.0:\(hostile.other.split(separator: ":")[1])) over plain HTTP; refusing to send credentials there")
        #expect(try hostile.otherHostRequests().isEmpty)
    }

    @Test func aStalledRegistryFailsWithinTheTimeoutNamingWhatStalled() throws {
        let hostile = try HostileRegistry("stall-manifest")
        let started = Date()
        let result = try edgepack(["inspect", "\(hostile.registry)/edge/pipelines/p:v1", "--timeout", "2"], environment: credentials)
        #expect(Date().timeIntervalSince(started) < 10)
        expectOneLine(result, "\(hostile.registry) sent no byte of manifest edge/pipelines/p:v1 for 2 s")
    }

    @Test func passwordStdinReadsAtMost64KiB() throws {
        let result = try edgepack(["publishes", "p", "--registry", "127.0.0.1:9/edge", "--username", "u", "--password-stdin"],
                                  input: String(repeating: "x", count: 100 << 10))
        expectOneLine(result, "the password on standard input is longer than 64 KiB; pass only the password or token")
    }

    @Test func sigtermEndsAWaitForThePasswordOnStandardInput() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: edgepackBinary)
        process.arguments = ["publishes", "p", "--registry", "127.0.0.1:9/edge", "--username", "u", "--password-stdin"]
        let input = Pipe()  // held open, nothing written: the read waits
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        Thread.sleep(forTimeInterval: 0.5)
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        let stopped = !process.isRunning
        if !stopped { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try? input.fileHandleForWriting.close()
        #expect(stopped, "SIGTERM did not end the wait for standard input")
        #expect(process.terminationStatus == 143)
    }
}
