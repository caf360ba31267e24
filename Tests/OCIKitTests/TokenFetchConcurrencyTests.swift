import Foundation
import Testing
import TestSupport
@testable import OCIKit

/// Token fetches against `scripts/hostile-registry --case slow-token`, whose token service takes 1.5 s for a
/// repository under `slow/`: a fetch waits only for the fetch of the token it needs.
@Suite struct TokenFetchConcurrencyTests {
    private func connect(_ hostile: HostileRegistry) throws -> RegistryClient {
        var options = RegistryOptions()
        options.plainHTTP = true
        return try RegistryClient.connect(host: hostile.registry, credential: .password(username: "u", password: "p"), options: options)
    }

    /// Runs `body` on a thread of its own; the group is left when it returns.
    private func inBackground(_ group: DispatchGroup, _ body: @escaping @Sendable () -> Void) {
        group.enter()
        Thread.detachNewThread {
            body()
            group.leave()
        }
    }

    private func tokens(_ hostile: HostileRegistry, naming repository: String) -> [HostileRegistry.TokenRequest] {
        hostile.tokenRequests().filter { $0.scopes.contains { $0.hasPrefix("repository:\(repository):") } }
    }

    @Test func aSlowTokenForOneRepositoryHoldsUpNoOther() throws {
        let hostile = try HostileRegistry("slow-token", auth: "bearer")
        let client = try connect(hostile)
        let group = DispatchGroup()
        inBackground(group) { _ = try? client.fetchManifest(.tag("v1"), in: Repository(unchecked: "slow/a")) }
        Thread.sleep(forTimeInterval: 0.3)
        let started = Date()
        _ = try client.fetchManifest(.tag("v1"), in: Repository(unchecked: "fast/b"))
        let took = Date().timeIntervalSince(started)
        group.wait()
        let slow = try #require(tokens(hostile, naming: "slow/a").first)
        let fast = try #require(tokens(hostile, naming: "fast/b").first)
        #expect(took < 1, "the fetch for fast/b took \(took) s")
        #expect(fast.start < slow.end && fast.end < slow.end, "the token fetches did not overlap: \(slow), \(fast)")
        // A token in hand is used while another repository's fetch is under way.
        inBackground(group) { _ = try? client.fetchManifest(.tag("v1"), in: Repository(unchecked: "slow/c")) }
        Thread.sleep(forTimeInterval: 0.3)
        let again = Date()
        _ = try client.fetchManifest(.tag("v2"), in: Repository(unchecked: "fast/b"))
        #expect(Date().timeIntervalSince(again) < 1)
        group.wait()
        #expect(tokens(hostile, naming: "fast/b").count == 1)
    }

    @Test func requestsForTheSameRepositoryShareOneFetch() throws {
        let hostile = try HostileRegistry("slow-token", auth: "bearer")
        let client = try connect(hostile)
        let group = DispatchGroup()
        for tag in ["v1", "v2", "v3", "v4"] {
            inBackground(group) { _ = try? client.fetchManifest(.tag(tag), in: Repository(unchecked: "slow/a")) }
        }
        group.wait()
        #expect(tokens(hostile, naming: "slow/a").count == 1, "\(hostile.tokenRequests())")
    }
}
