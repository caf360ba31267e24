import Foundation
import Testing
import TestSupport

/// `--runtime helm`. There is no cluster here: what the agent hands helm (the version's chart and its values
/// file) is judged by real helm's `template`, and a real `helm upgrade` against a cluster that does not answer
/// shows how a failure ends.
@Suite(.serialized) struct AgentHelmTests {
    func helmArguments(_ site: AgentSite, tool: String, _ extra: [String] = []) -> [String] {
        ["agent", "--once", "--registry", site.registry, "--pipeline", "edge", "--channel", "prod", "--state", site.state, "--site", "helm-site",
         "--runtime", "helm", "--helm-tool", tool, "--health-timeout", "10s"] + extra
    }

    /// A helm that records what it was asked and exits 0: the chart and values it names stay in the version's
    /// folder, and real helm renders them.
    @Test func helmGetsTheVersionsChartWithThePipelinePinnedByDigest() throws {
        let registry = "\(registries.token)/agenthelm\(UUID().uuidString.prefix(6).lowercased())"
        let project = try TemporaryDirectory()
        let site = try AgentSite(registry: registry)
        let recorder = site.dir.file("helm-recorder")
        try site.dir.write("helm-recorder", """
            #!/bin/sh
            printf '%s\\n' "$@" > '\(site.dir.file("helm-args"))'
            for a in "$@"; do case "$a" in *agent-credentials.yaml) cp "$a" '\(site.dir.file("credentials-seen"))'; stat -c %a "$a" > '\(site.dir.file("credentials-mode"))';; esac; done
            """)
        #expect(chmod(recorder, 0o755) == 0)
        let record = try AgentTests().publishNewVersion(project, registry: registry)
        let applied = try edgepack(helmArguments(site, tool: recorder, ["--helm-namespace", "edge-ns"]), environment: pusher)
        #expect(applied.succeeded, "\(applied.stderr)")
        #expect(try site.status().last_attempt?.outcome == "applied")
        let folder = site.state + "/versions/" + record.pipeline_version
        let arguments = try String(contentsOfFile: site.dir.file("helm-args"), encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(arguments == ["upgrade", "--install", "--atomic", "--wait", "--timeout", "10s", "--namespace", "edge-ns", "edgepack-edge",
                              folder + "/chart.tgz", "-f", folder + "/agent-values.yaml", "-f", folder + "/agent-credentials.yaml"], "\(arguments)")
        #expect(!arguments.joined().contains("edgepack-pass"), "credentials never on helm's command line")
        #expect(try String(contentsOfFile: site.dir.file("credentials-seen"), encoding: .utf8).contains("password: \"edgepack-pass\""))
        #expect(try String(contentsOfFile: site.dir.file("credentials-mode"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) == "600")
        #expect(!FileManager.default.fileExists(atPath: folder + "/agent-credentials.yaml"), "removed once helm is done")

        let digest = try #require(try site.status().digest)
        let rendered = try run(tool("helm"), ["template", "edgepack-edge", folder + "/chart.tgz", "-f", folder + "/agent-values.yaml",
                                              "--set", "ociRegistry.username=u", "--set", "ociRegistry.password=p"])
        #expect(rendered.succeeded, "\(rendered.stderr)")
        let lines = rendered.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let index = try #require(lines.firstIndex(of: "- name: PIPELINE_URL"))
        #expect(lines[index + 1] == "value: \"\(registry)/pipelines/edge@\(digest)\"", "\(lines[index + 1])")
        #expect(lines.contains("kind: Deployment"))
        let manifests = site.dir.file("rendered.yaml")
        try rendered.stdout.write(toFile: manifests, atomically: true, encoding: .utf8)
        let validation = try run("kubernetes-validate", ["--strict", manifests])
        #expect(validation.succeeded, "\(validation.stdout)\(validation.stderr)")
    }

    /// Real helm, a cluster that refuses connections: helm fails, the attempt is `failed` with helm's error in one
    /// line, nothing becomes current, exit 1.
    @Test func aHelmFailureIsAFailedAttemptNamingHelmsError() throws {
        let registry = "\(registries.token)/agenthelmfail\(UUID().uuidString.prefix(6).lowercased())"
        let project = try TemporaryDirectory()
        let site = try AgentSite(registry: registry)
        try site.dir.write("kubeconfig", """
            apiVersion: v1
            kind: Config
            clusters:
            - name: none
              cluster:
                server: https://127.0.0.1:1
            contexts:
            - name: none
              context: {cluster: none, user: none}
            current-context: none
            users:
            - name: none
              user: {token: none}
            """)
        let helmHome = site.dir.file("helm-home")
        let environment = pusher.merging(["KUBECONFIG": site.dir.file("kubeconfig"), "HELM_CACHE_HOME": helmHome, "HELM_CONFIG_HOME": helmHome,
                                          "HELM_DATA_HOME": helmHome]) { $1 }
        let record = try AgentTests().publishNewVersion(project, registry: registry)
        let failed = try edgepack(helmArguments(site, tool: tool("helm")), environment: environment)
        #expect(failed.status == 1, "\(failed.stdout)\(failed.stderr)")
        let status = try site.status()
        #expect(status.last_attempt?.outcome == "failed" && status.last_attempt?.version == record.pipeline_version)
        let reason = try #require(status.last_attempt?.reason)
        #expect(reason.contains("upgrade exited with status 1 for version \(record.pipeline_version): Error: kubernetes cluster unreachable")
                && reason.contains("127.0.0.1:1") && !reason.contains("\n"), "\(reason)")
        #expect(site.current() == nil && status.version == nil)
    }
}
