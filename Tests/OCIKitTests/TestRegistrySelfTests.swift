import Testing
import TestSupport

/// The quirk proxy every transfer test stands on, tested on its own: `scripts/test-registry-selftest` starts a
/// harness of its own (real distribution registries) and checks each quirk, fault and control endpoint over HTTP.
@Suite struct TestRegistrySelfTests {
    @Test func theQuirkProxyPassesItsSelftest() throws {
        let result = try run(repositoryRoot + "/scripts/test-registry-selftest", [])
        #expect(result.succeeded, "\(result.stderr.split(separator: "\n").suffix(40).joined(separator: "\n"))")
    }
}
