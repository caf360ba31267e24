import Foundation
import Testing
import TestSupport

let registries = TestRegistries.shared
let pusher = ["OCI_USERNAME": "edgepack", "OCI_PASSWORD": "edgepack-pass"]

/// A publish record printed by `--json`.
struct Record: Decodable {
    struct Helm: Decodable { var chart: String; var reference: String; var version: String }
    struct Model: Decodable { var name: String; var version: String; var digest: String; var url: String }
    var pipeline_name: String
    var pipeline_version: String
    var status: String
    var pipeline_url: String
    var pipeline_digest: String
    var engine_url: String
    var helm: Helm
    var compose_url: String
    var models: [Model]
    var docker_run: String
    var podman_run: String
    var helm_install: String
    var created_at: String

    var references: [String] {
        [pipeline_url, "\(helm.chart.dropFirst("oci://".count)):\(helm.version)", compose_url] + models.map(\.url)
    }
}

func publish(_ definition: String, registry: String, environment: [String: String] = pusher, extra: [String] = []) throws -> (ProcessResult, Record?) {
    let result = try edgepack(["publish", fixture(definition), "--registry", registry, "--json"] + extra, environment: environment)
    return (result, result.succeeded ? try JSONDecoder().decode(Record.self, from: Data(result.stdout.utf8)) : nil)
}

/// A private helm registry config, logged in to `host`.
func helmLoggedIn(_ host: String, _ dir: TemporaryDirectory) throws -> [String: String] {
    let environment = ["HELM_REGISTRY_CONFIG": dir.file("helm-registry.json"), "HELM_CACHE_HOME": dir.file("helm-cache"), "HELM_CONFIG_HOME": dir.file("helm-config")]
    let login = try run(tool("helm"), ["registry", "login", host, "--username", "edgepack", "--password-stdin", "--plain-http"], environment: environment, input: "edgepack-pass")
    guard login.succeeded else { throw TestFailure("helm registry login: \(login.stderr)") }
    return environment
}

@Suite(.serialized) struct PublishTests {
    /// The record's helm_install, pasted as printed into a shell with its variables set, pulls the chart from the
    /// registry and installs it (as a client-side dry run: no cluster here) with this Helm (v4: `--atomic` is accepted).
    @Test func printedHelmInstallRunsAsPrinted() throws {
        let dir = try TemporaryDirectory()
        let (result, record) = try publish("vgg16-clustering/edgepack.yaml", registry: "\(registries.token)/cmd/\(UUID().uuidString.prefix(8).lowercased())")
        #expect(result.succeeded, "\(result.stderr)")
        let published = try #require(record)
        var environment = try helmLoggedIn(registries.token, dir)
        environment.merge(["HELM_INSTALL_NAME": "edge", "HELM_INSTALL_NAMESPACE": "edge-ns", "OCI_USERNAME": "robot", "OCI_PASSWORD": "s3 cret$"]) { $1 }
        environment["PATH"] = (tool("helm") as NSString).deletingLastPathComponent + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "")
        let installed = try run("sh", ["-c", published.helm_install + " --plain-http --dry-run=client"], environment: environment)
        #expect(installed.succeeded, "\(installed.stderr)")
        #expect(installed.stdout.contains("NAME: edge") && installed.stdout.contains("NAMESPACE: edge-ns"), "\(installed.stdout)")
        #expect(installed.stdout.contains(published.pipeline_url))
        let secret = Data("s3 cret$".utf8).base64EncodedString()
        #expect(installed.stdout.contains(secret), "the password reaches the chart's Secret intact")
    }

    /// CNCF ModelPack's own client pulls every published model (reading the filepath annotations, checking
    /// digests and diffIds) and gets back the model files.
    @Test func modelpackClientPullsEveryModel() throws {
        let dir = try TemporaryDirectory()
        let (result, record) = try publish("ccfraud/edgepack.yaml", registry: "\(registries.token)/mp/\(UUID().uuidString.prefix(8).lowercased())")
        #expect(result.succeeded, "\(result.stderr)")
        let published = try #require(record)
        let auth = Data("reader:reader-pass".utf8).base64EncodedString()
        try dir.write("home/.docker/config.json", #"{"auths":{"\#(registries.token)":{"auth":"\#(auth)"}}}"#)  // oras reads only ~/.docker
        let models = fixture("ccfraud/models")
        for model in published.models {
            let pulled = try run(repositoryRoot + "/.tools/venv-modelpack/bin/modelpack", ["--insecure", "pull", model.url, dir.file("pulled/\(model.name)")],
                                 environment: ["HOME": dir.file("home")])
            #expect(pulled.succeeded, "\(model.name): \(pulled.stdout)\(pulled.stderr)")
        }
        #expect(try run("cmp", [dir.file("pulled/ccfraud/ccfraud.onnx"), models + "/ccfraud.onnx"]).succeeded)
        #expect(try run("cmp", [dir.file("pulled/ccfraud-xgb/ccfraud-xgb.onnx"), models + "/ccfraud-xgb.onnx"]).succeeded)
        // A directory model is one tar of the directory's contents, unpacked where it is pulled to.
        let same = try run("diff", ["-r", dir.file("pulled/aloha"), models + "/aloha-cnn-lstm"])
        #expect(same.succeeded, "\(same.stdout)")
    }

    @Test(arguments: fixtures)
    func publishedArtifactsAreReadByTheRealTools(definition: String) throws {
        let dir = try TemporaryDirectory()
        let (result, record) = try publish(definition, registry: "\(registries.token)/ci/\(UUID().uuidString.prefix(8).lowercased())")
        #expect(result.succeeded, "\(result.stderr)")
        let published = try #require(record)
        #expect(published.status == "Published")
        #expect(published.helm_install.contains("--version \(published.helm.version)"))
        for reference in published.references {
            let raw = try run("skopeo", ["inspect", "--raw", "--tls-verify=false", "--creds", "reader:reader-pass", "docker://\(reference)"])
            #expect(raw.succeeded, "\(reference): \(raw.stderr)")
            let copy = try run("skopeo", ["copy", "--src-tls-verify=false", "--src-creds", "reader:reader-pass", "docker://\(reference)", "oci:\(dir.file("copy")):x"])
            #expect(copy.succeeded, "\(reference): \(copy.stderr)")
        }
        // helm pull then helm template, as the DevOps engineer would.
        let helm = try helmLoggedIn(registries.token, dir)
        try FileManager.default.createDirectory(atPath: dir.file("charts"), withIntermediateDirectories: true)
        let pull = try run(tool("helm"), ["pull", published.helm.chart, "--version", published.helm.version, "--plain-http", "-d", dir.file("charts")], environment: helm)
        #expect(pull.succeeded, "\(pull.stderr)")
        let chart = dir.file("charts/\(published.pipeline_name)-\(published.helm.version).tgz")
        let template = try run(tool("helm"), ["template", "edge", chart, "--set", "ociRegistry.username=u", "--set", "ociRegistry.password=p"], environment: helm)
        #expect(template.succeeded && template.stdout.contains(published.pipeline_url), "\(template.stderr)")
        // edgepack pull gets back the very model files.
        let pulled = try edgepack(["pull", published.pipeline_url, "-o", dir.file("pulled"), "--username", "reader", "--password-stdin"], input: "reader-pass")
        #expect(pulled.succeeded, "\(pulled.stderr)")
        for model in published.models {
            let folder = dir.file("pulled/models/\(model.name)/\(model.version)")
            let file = try #require(try FileManager.default.contentsOfDirectory(atPath: folder).first)
            let original = try #require(try FileManager.default.contentsOfDirectory(atPath: (fixture(definition) as NSString).deletingLastPathComponent + "/models").first { $0 == file })
            let same = try run("diff", ["-r", folder + "/" + file, (fixture(definition) as NSString).deletingLastPathComponent + "/models/" + original])
            #expect(same.succeeded, "\(model.name) differs: \(same.stdout)")
        }
        // Pinned by digest, as an edge device would be.
        let repository = String(published.pipeline_url[..<published.pipeline_url.lastIndex(of: ":")!])
        let pinned = try edgepack(["pull", "\(repository)@\(published.pipeline_digest)", "-o", dir.file("pinned"), "--json"], environment: pusher)
        #expect(pinned.succeeded, "\(pinned.stderr)")
        #expect(pinned.stdout.contains(published.models[0].digest))
    }

    @Test func publishingAgainUploadsNothing() throws {
        let registry = "\(registries.token)/again/\(UUID().uuidString.prefix(8).lowercased())"
        let (first, one) = try publish("vgg16-clustering/edgepack.yaml", registry: registry)
        #expect(first.succeeded && first.stderr.contains("mounted 1"), "\(first.stderr)")
        let (second, two) = try publish("vgg16-clustering/edgepack.yaml", registry: registry)
        #expect(second.succeeded)
        #expect(second.stderr.contains("uploaded 0 blobs (0 B), mounted 0"), "\(second.stderr)")
        #expect(one?.pipeline_digest == two?.pipeline_digest)
        // Plain lines in CI: one per blob and tag; nothing uploaded or tagged anew the second time.
        #expect(first.stderr.contains("uploaded ") && first.stderr.contains("tagged   "), "\(first.stderr)")
        #expect(second.stderr.contains("exists   ") && second.stderr.contains("tag ok   ") && !second.stderr.contains("tagged   "), "\(second.stderr)")
        let (quiet, _) = try publish("vgg16-clustering/edgepack.yaml", registry: registry, extra: ["--quiet"])
        #expect(quiet.succeeded && quiet.stderr.isEmpty, "\(quiet.stderr)")
    }

    @Test func wrongPasswordIsAClearErrorWithoutTheSecret() throws {
        let (result, _) = try publish("vgg16-clustering/edgepack.yaml", registry: "\(registries.token)/denied", environment: ["OCI_USERNAME": "edgepack", "OCI_PASSWORD": "not-the-password-xyz"])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("edgepack: error: authentication to \(registries.token) failed as user edgepack: wrong username or password"), "\(result.stderr)")
        #expect(!(result.stdout + result.stderr).contains("not-the-password-xyz"))
    }

    @Test func accountWithoutPushScopeIsDenied() throws {
        let (result, _) = try publish("vgg16-clustering/edgepack.yaml", registry: "\(registries.token)/readonly", environment: ["OCI_USERNAME": "reader", "OCI_PASSWORD": "reader-pass"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("denied permission"), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(!result.stderr.contains("reader-pass"))
    }

    @Test func publishingNeedsARegistry() throws {
        let result = try edgepack(["publish", fixture("vgg16-clustering/edgepack.yaml")], environment: pusher)
        #expect(result.status == 1)
        #expect(result.stderr == "edgepack: error: no registry to publish to: pass --registry (e.g. ghcr.io/acme/edge) or set 'registry' in the definition\n")
        let empty = try edgepack(["publish", fixture("vgg16-clustering/edgepack.yaml"), "--registry", registries.token, "--username", "u", "--password-stdin"], input: "\n")
        #expect(empty.status == 1 && empty.stderr == "edgepack: error: --password-stdin read an empty password\n", "\(empty.stderr)")
    }

    @Test func unknownRegistryIsAClearError() throws {
        let (result, _) = try publish("vgg16-clustering/edgepack.yaml", registry: "127.0.0.1:1/nowhere")
        #expect(result.status == 1)
        #expect(result.stderr.contains("cannot connect to 127.0.0.1:1"), "\(result.stderr)")
    }

    @Test func basicAuthRegistryWorks() throws {
        let (result, record) = try publish("vgg16-clustering/edgepack.yaml", registry: "\(registries.basic)/basic")
        #expect(result.succeeded, "\(result.stderr)")
        #expect(record?.pipeline_url.hasPrefix(registries.basic) == true)
        let (anonymous, _) = try publish("vgg16-clustering/edgepack.yaml", registry: "\(registries.basic)/basic", environment: [:])
        #expect(anonymous.status == 1 && anonymous.stderr.contains("needs a username and password"), "\(anonymous.stderr)")
    }

    @Test func tlsIsVerifiedAndACustomCAIsTrustedWhenGiven() throws {
        let registry = "\(registries.tls)/secure"
        let (untrusted, _) = try publish("vgg16-clustering/edgepack.yaml", registry: registry)
        #expect(untrusted.status == 1)
        #expect(untrusted.stderr.contains("is not trusted: pass --ca-file"), "\(untrusted.stderr)")
        let (trusted, record) = try publish("vgg16-clustering/edgepack.yaml", registry: registry, extra: ["--ca-file", registries.ca_file])
        #expect(trusted.succeeded, "\(trusted.stderr)")
        #expect(record?.pipeline_url.hasPrefix(registries.tls) == true)
        let (insecure, _) = try publish("vgg16-clustering/edgepack.yaml", registry: registry, extra: ["--insecure"])
        #expect(insecure.succeeded, "\(insecure.stderr)")
        let plain = try edgepack(["publish", fixture("vgg16-clustering/edgepack.yaml"), "--registry", "registry.example.com/x", "--plain-http"], environment: pusher)
        #expect(plain.status == 1 && plain.stderr.contains("plain HTTP is only allowed for loopback registries"), "\(plain.stderr)")
    }

    @Test func serverErrorsAndDroppedConnectionsAreRetried() throws {
        let path = "retry\(UUID().uuidString.prefix(6).lowercased())"
        try registries.injectFaults(status: "500", count: 2, method: "PUT", match: "/v2/\(path)/")
        try registries.injectFaults(status: "429", count: 1, method: "HEAD", match: "/v2/\(path)/")
        try registries.injectFaults(status: "drop", count: 2, method: "PUT", match: "/v2/\(path)/")
        let (result, record) = try publish("ccfraud/edgepack.yaml", registry: "\(registries.flaky)/\(path)")
        #expect(result.succeeded, "\(result.stderr)")
        #expect(result.stderr.contains("retried"), "\(result.stderr)")
        let copy = try run("skopeo", ["inspect", "--raw", "--tls-verify=false", "--creds", "reader:reader-pass", "docker://\(try #require(record).pipeline_url)"])
        #expect(copy.succeeded)
    }

    /// Nothing listening: one line at once, no retries. A registry that keeps failing: the line says how long it was tried.
    @Test func aRefusedConnectionFailsAtOnceAndRetriesSayHowLong() throws {
        let started = Date()
        let refused = try edgepack(["publishes", "p", "--registry", "127.0.0.1:9/edge"])
        #expect(Date().timeIntervalSince(started) < 1, "no retries for a port where nothing listens")
        #expect(refused.status == 1 && refused.stderr == "edgepack: error: cannot connect to 127.0.0.1:9: nothing is listening there, or a firewall is in the way\n", "\(refused.stderr)")

        let path = "tries\(UUID().uuidString.prefix(6).lowercased())"
        try registries.injectFaults(status: "503", count: 5, method: "GET", match: "/v2/\(path)/pipelines/p/tags/list")
        let failing = try edgepack(["publishes", "p", "--registry", "\(registries.flaky)/\(path)"], environment: pusher)
        #expect(failing.status == 1)
        #expect(failing.stderr.firstMatch(of: /: UNAVAILABLE: injected fault, 5 tries over \d+\.\d s\n/) != nil, "\(failing.stderr)")
    }

    @Test func chunkedUploadsResumeAfterADroppedChunk() throws {
        let path = "chunked\(UUID().uuidString.prefix(6).lowercased())"
        try registries.injectFaults(status: "drop", count: 1, method: "PATCH", match: "/v2/\(path)/")
        let (result, record) = try publish("ccfraud/edgepack.yaml", registry: "\(registries.flaky)/\(path)", extra: ["--chunk-size", "4K"])
        #expect(result.succeeded, "\(result.stderr)")
        let dir = try TemporaryDirectory()
        for reference in try #require(record).references {
            let copy = try run("skopeo", ["copy", "--src-tls-verify=false", "--src-creds", "reader:reader-pass", "docker://\(reference)", "oci:\(dir.file("c")):x"])
            #expect(copy.succeeded, "\(reference): \(copy.stderr)")
        }
    }

    @Test func aFailedPublishLeavesNoTagOnIncompleteContent() throws {
        let path = "broken\(UUID().uuidString.prefix(6).lowercased())"
        try registries.injectFaults(status: "503", count: 50, method: "PUT", match: "/v2/\(path)/pipelines/vgg16-clustering-pipeline/manifests/")
        let (result, _) = try publish("vgg16-clustering/edgepack.yaml", registry: "\(registries.flaky)/\(path)")
        #expect(result.status == 1)
        #expect(result.stderr.contains("push the manifest"), "\(result.stderr)")
        for repository in ["pipelines", "charts", "compose"] {
            let tags = try run("skopeo", ["list-tags", "--tls-verify=false", "--creds", "reader:reader-pass", "docker://\(registries.token)/\(path)/\(repository)/vgg16-clustering-pipeline"])
            #expect(!tags.stdout.contains("\"Tags\": [\n        \""), "\(repository) got a tag: \(tags.stdout)")
        }
        try registries.injectFaults(status: "503", count: 0, match: "/v2/\(path)/")
    }

    @Test func exportThenPushToASecondRegistryKeepsDigestsAndNamesIt() throws {
        let dir = try TemporaryDirectory()
        let first = "\(registries.token)/origin\(UUID().uuidString.prefix(6).lowercased())"
        let second = "\(registries.basic)/site\(UUID().uuidString.prefix(6).lowercased())"
        let (published, record) = try publish("ccfraud/edgepack.yaml", registry: first)
        #expect(published.succeeded, "\(published.stderr)")
        #expect(try edgepack(["export", fixture("ccfraud/edgepack.yaml"), "-o", dir.file("bundle.tar"), "--registry", first]).succeeded)
        let push = try edgepack(["push", dir.file("bundle.tar"), "--registry", second, "--json"], environment: pusher)
        #expect(push.succeeded, "\(push.stderr)")
        let pushed = try JSONDecoder().decode(Record.self, from: Data(push.stdout.utf8))
        let original = try #require(record)
        #expect(pushed.pipeline_digest == original.pipeline_digest)
        #expect(pushed.models.map(\.digest) == original.models.map(\.digest))
        #expect(pushed.helm.chart == "oci://\(second)/charts/ccfraud-pipeline")
        // What the bundle push made is exactly what publishing straight to that registry makes (the attestations
        // aside: the bundle carries the builder's, a publish states its own).
        let (direct, _) = try publish("ccfraud/edgepack.yaml", registry: second, extra: ["--no-attest"])
        #expect(direct.stderr.contains("uploaded 0 blobs (0 B)"), "\(direct.stderr)")
        let helm = try helmLoggedIn(registries.basic, dir)
        try FileManager.default.createDirectory(atPath: dir.file("charts"), withIntermediateDirectories: true)
        let pull = try run(tool("helm"), ["pull", pushed.helm.chart, "--version", pushed.helm.version, "--plain-http", "-d", dir.file("charts")], environment: helm)
        #expect(pull.succeeded, "\(pull.stderr)")
        let values = try run(tool("helm"), ["show", "values", dir.file("charts/ccfraud-pipeline-\(pushed.helm.version).tgz")])
        #expect(values.stdout.contains("pipelineUrl: \(second)/pipelines/ccfraud-pipeline:"), "\(values.stdout)")
    }

    @Test func publishesListsVersionsNewestFirst() throws {
        let registry = "\(registries.token)/history\(UUID().uuidString.prefix(6).lowercased())"
        let dir = try TemporaryDirectory()
        let root = try copyFixture("vgg16-clustering", into: dir)
        #expect(try edgepack(["publish", root + "/edgepack.yaml", "--registry", registry], environment: pusher.merging(["SOURCE_DATE_EPOCH": "1700000000"]) { $1 }).succeeded)
        let text = try String(contentsOfFile: root + "/edgepack.yaml", encoding: .utf8).replacingOccurrences(of: "memory: 4Gi", with: "memory: 6Gi")
        try text.write(toFile: root + "/edgepack.yaml", atomically: true, encoding: .utf8)
        #expect(try edgepack(["publish", root + "/edgepack.yaml", "--registry", registry], environment: pusher.merging(["SOURCE_DATE_EPOCH": "1800000000"]) { $1 }).succeeded)
        let listing = try edgepack(["publishes", "vgg16-clustering-pipeline", "--registry", registry, "--json"], environment: pusher)
        #expect(listing.succeeded, "\(listing.stderr)")
        let versions = try #require(try JSONSerialization.jsonObject(with: Data(listing.stdout.utf8)) as? [[String: Any]])
        #expect(versions.map { $0["created"] as? String } == ["2027-01-15T08:00:00Z", "2023-11-14T22:13:20Z"])
    }
}
