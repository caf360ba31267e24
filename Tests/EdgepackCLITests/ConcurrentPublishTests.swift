import Foundation
import Testing
import TestSupport

/// Runs the commands at once, one thread each (not `concurrentPerform`, which runs only as many as there are cores
/// at a time), and returns their results in order.
func runTogether(_ commands: [[String]], environment: [String: String] = pusher) -> [Result<ProcessResult, any Error>] {
    let lock = NSLock()
    let finished = DispatchGroup()
    nonisolated(unsafe) var results: [Int: Result<ProcessResult, any Error>] = [:]
    for (index, command) in commands.enumerated() {
        finished.enter()
        Thread {
            let result = Result { try edgepack(command, environment: environment) }
            lock.withLock { results[index] = result }
            finished.leave()
        }.start()
    }
    finished.wait()
    return commands.indices.map { results[$0]! }
}

/// Identical publishes at once (issue 22, item 10): three `publish` runs of one definition into one registry
/// prefix, five rounds. Each completed upload or mount makes distribution rewrite the repository's link to the
/// blob (truncate, then write); a manifest checked against that link in that instant was refused with
/// DIGEST_INVALID / MANIFEST_BLOB_UNKNOWN (2 runs in 9). Eight small models give many shared blobs and manifests.
@Suite(.serialized) struct ConcurrentPublishTests {
    @Test func identicalPublishesAtOnceAllSucceed() throws {
        let dir = try TemporaryDirectory()
        let definition = try randomModelsPipeline(Array(repeating: 4096, count: 8), named: "together", in: dir)
        for round in 0..<5 {
            let registry = "\(registries.token)/together\(UUID().uuidString.prefix(6).lowercased())"
            let results = runTogether(Array(repeating: ["publish", definition, "--registry", registry, "--json", "-q"], count: 3))
            var digests: Set<String> = []
            for result in results {
                let finished = try result.get()
                #expect(finished.succeeded, "round \(round): \(finished.stderr)")
                if finished.succeeded { digests.insert(try JSONDecoder().decode(Record.self, from: Data(finished.stdout.utf8)).pipeline_digest) }
            }
            #expect(digests.count == 1, "round \(round): \(digests)")
        }
    }
}
