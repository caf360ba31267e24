import Foundation
import Testing
import TestSupport

/// A site behind a regional pull-through cache (docker-registry in proxy mode in front of the token registry):
/// it reads each version through the cache, anonymously, and reports to the origin (`--report-registry`).
@Suite(.serialized) struct AgentPullThroughCacheTests {
    @Test func aSiteBehindAPullThroughCacheReceivesEachVersionAndReportsToTheOrigin() throws {
        let path = "agentcache\(UUID().uuidString.prefix(6).lowercased())"
        let origin = "\(registries.token)/\(path)"
        let cache = try PullThroughCache(remote: registries.token, username: "reader", password: "reader-pass")
        defer { cache.stop() }
        let project = try TemporaryDirectory()
        let site = try AgentSite(registry: "\(cache.address)/\(path)")
        defer { site.stopServer() }
        // The agent's credentials are for the origin, where it reports; the cache asks for none.
        let reporter = ["OCI_USERNAME": "edgepack", "OCI_PASSWORD": "edgepack-pass"]
        for round in 1...2 {
            let record = try AgentTests().publishNewVersion(project, registry: origin)
            let applied = try edgepack(site.arguments(["--report-registry", origin]), environment: reporter)
            #expect(applied.succeeded && !applied.stderr.contains("cannot report"), "round \(round): \(applied.stderr)")
            #expect(try site.answer() == record.pipeline_version, "round \(round)")
            let status = try site.status()
            #expect(status.version == record.pipeline_version && status.digest == record.pipeline_digest)

            let sites = try edgepack(["sites", "edge", "--registry", origin, "--json"], environment: pusher)
            let rows = try JSONDecoder().decode([SiteRow].self, from: Data(sites.stdout.utf8))
            #expect(rows.map(\.site) == ["site-a"] && rows.first?.version == record.pipeline_version, "\(sites.stdout)\(sites.stderr)")
        }
        // Every read went through the cache: its access log has the channel's HEADs and the blobs.
        let log = try String(contentsOfFile: cache.log, encoding: .utf8)
        #expect(log.components(separatedBy: "\"HEAD /v2/\(path)/pipelines/edge/manifests/prod ").count - 1 == 2, "\(log)")
        #expect(log.contains("GET /v2/\(path)/pipelines/edge/blobs/sha256:"))
        #expect(!log.contains("\"PUT ") && !log.contains("\"POST "), "nothing is pushed to the cache")
    }
}
