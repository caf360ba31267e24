import Foundation
import Testing
import TestSupport
import Yams

let registry = "registry.example.com/acme/edge"

/// Renders a fixture into a new directory; returns the directory and the chart's folder.
func render(_ definition: String, _ extra: [String] = [], environment: [String: String] = [:]) throws -> (TemporaryDirectory, String) {
    let dir = try TemporaryDirectory()
    let result = try edgepack(["render", fixture(definition), "-o", dir.file("out"), "--registry", registry] + extra, environment: environment)
    #expect(result.succeeded, "\(result.stderr)")
    let name = try #require(try FileManager.default.contentsOfDirectory(atPath: dir.file("out/chart")).first)
    return (dir, dir.file("out/chart/\(name)"))
}

func chartPackage(_ dir: TemporaryDirectory) throws -> String {
    dir.file("out/" + (try #require(try FileManager.default.contentsOfDirectory(atPath: dir.file("out")).first { $0.hasSuffix(".tgz") })))
}

/// `helm template` output as parsed objects.
func templateObjects(_ chart: String, _ sets: [String]) throws -> (ProcessResult, [[String: Any]]) {
    let result = try run(tool("helm"), ["template", "edge", chart] + sets.flatMap { ["--set", $0] })
    guard result.succeeded else { return (result, []) }
    let objects = try Yams.load_all(yaml: result.stdout).compactMap { $0 as? [String: Any] }
    return (result, objects)
}

func object(_ objects: [[String: Any]], kind: String, name: String) -> [String: Any]? {
    objects.first { $0["kind"] as? String == kind && ($0["metadata"] as? [String: Any])?["name"] as? String == name }
}

extension Dictionary where Key == String, Value == Any {
    subscript(path path: String) -> Any? {
        var current: Any? = self
        for part in path.split(separator: ".") {
            if let index = Int(part), let list = current as? [Any] {
                current = index < list.count ? list[index] : nil
            } else {
                current = (current as? [String: Any])?[String(part)]
            }
        }
        return current
    }
}

@Suite(.serialized) struct RenderTests {
    @Test(arguments: fixtures)
    func helmLintsTheChartAndItsPackage(definition: String) throws {
        let (dir, chart) = try render(definition)
        for target in [chart, try chartPackage(dir)] {
            let lint = try run(tool("helm"), ["lint", "--strict", target])
            #expect(lint.succeeded, "\(target): \(lint.stdout)\(lint.stderr)")
        }
        let shown = try run(tool("helm"), ["show", "chart", try chartPackage(dir)])
        #expect(shown.succeeded && shown.stdout.contains("version: 0.0.1-"), "\(shown.stderr)")
    }

    @Test(arguments: fixtures)
    func templatedObjectsAreValidKubernetesWithWhatTheDefinitionAsked(definition: String) throws {
        let (dir, chart) = try render(definition)
        let (result, objects) = try templateObjects(chart, ["ociRegistry.username=robot", "ociRegistry.password=s3cret"])
        #expect(result.succeeded, "\(result.stderr)")
        let manifests = try dir.write("objects.yaml", result.stdout)
        let validation = try run("kubernetes-validate", ["--strict", manifests])
        #expect(validation.succeeded, "\(validation.stdout)\(validation.stderr)")

        let spec = try DefinitionSpec(fixture(definition))
        let deployment = try #require(object(objects, kind: "Deployment", name: "engine"))
        #expect(deployment[path: "spec.replicas"] as? Int == spec.replicas)
        let container = try #require(deployment[path: "spec.template.spec.containers.0"] as? [String: Any])
        #expect(container["image"] as? String == spec.image)
        let env = Dictionary(uniqueKeysWithValues: (container["env"] as? [[String: Any]] ?? []).map { ($0["name"] as! String, $0) })
        let version = try spec.versionFromChart(chart)
        #expect(env["PIPELINE_URL"]?["value"] as? String == "\(registry)/pipelines/\(spec.name):\(version)")
        #expect(env["OCI_REGISTRY"]?["value"] as? String == "registry.example.com")
        #expect(env["CONFIG_CPUS"]?["value"] as? String == spec.cpus)
        #expect(env["CONFIG_MEMORY"]?["value"] as? String == spec.memory)
        for key in ["OCI_USERNAME", "OCI_PASSWORD"] {
            #expect(env[key]?[path: "valueFrom.secretKeyRef.name"] as? String == "edge-oci-credentials")
        }
        #expect(container[path: "resources.limits.cpu"] as? String == spec.cpus)
        #expect(container[path: "resources.limits.memory"] as? String == spec.memory)
        #expect(container[path: "readinessProbe.httpGet.path"] as? String == "/healthz")
        #expect(deployment[path: "spec.template.spec.imagePullSecrets.0.name"] as? String == "edge-registry")
        let pullSecret = try #require(object(objects, kind: "Secret", name: "edge-registry"))
        let encoded = try #require((pullSecret["data"] as? [String: Any])?[".dockerconfigjson"] as? String)
        let decoded = try #require(Data(base64Encoded: encoded))
        let config = try #require(try JSONSerialization.jsonObject(with: decoded) as? [String: Any])
        let entry = ((config["auths"] as? [String: Any])?["registry.example.com"] as? [String: Any]) ?? [:]
        #expect(entry["username"] as? String == "robot" && entry["password"] as? String == "s3cret")
        let service = try #require(object(objects, kind: "Service", name: "engine-svc"))
        #expect((service[path: "spec.ports"] as? [[String: Any]])?.map { $0["port"] as? Int } == [8080, 9000])
    }

    @Test func sidekicksWithAnImageRunBesideTheEngineWithTheirGPUs() throws {
        let (dir, chart) = try render("ccfraud/every-step.yaml")
        let (result, objects) = try templateObjects(chart, ["ociRegistry.username=u", "ociRegistry.password=p"])
        #expect(result.succeeded, "\(result.stderr)")
        let deployment = try #require(object(objects, kind: "Deployment", name: "engine"))
        let containers = deployment[path: "spec.template.spec.containers"] as? [[String: Any]] ?? []
        #expect(containers.map { $0["name"] as? String } == ["engine", "sidekick-aloha"])
        let sidekick = try #require(containers.last)
        #expect(sidekick["image"] as? String == "ghcr.io/acme/byop-runtime:1.4")
        #expect(sidekick[path: "resources.limits.cpu"] as? String == "0.5")
        #expect((sidekick[path: "resources.limits"] as? [String: Any])?["nvidia.com/gpu"] as? String == "1")
        #expect((containers[0][path: "resources.limits"] as? [String: Any])?["nvidia.com/gpu"] as? String == "1")
        let compose = try #require(try Yams.load(yaml: String(contentsOfFile: dir.file("out/compose.yaml"), encoding: .utf8)) as? [String: Any])
        #expect(compose[path: "services.sidekick-aloha.image"] as? String == "ghcr.io/acme/byop-runtime:1.4")
        #expect(compose[path: "services.sidekick-aloha.deploy.resources.reservations.devices.0.count"] as? Int == 1)
        #expect(compose[path: "services.engine.deploy.resources.reservations.devices.0.driver"] as? String == "nvidia")
        // vgg16's sidekick names no image: nothing runs beside its engine.
        let (vggDir, vggChart) = try render("vgg16-clustering/edgepack.yaml")
        defer { withExtendedLifetime(vggDir) {} }
        let (_, vggObjects) = try templateObjects(vggChart, ["ociRegistry.username=u", "ociRegistry.password=p"])
        let vggDeployment = try #require(object(vggObjects, kind: "Deployment", name: "engine"))
        #expect((vggDeployment[path: "spec.template.spec.containers"] as? [Any])?.count == 1)
    }

    @Test func installingWithoutCredentialsSaysWhatToSet() throws {
        let (dir, chart) = try render("ccfraud/edgepack.yaml")
        let (result, _) = try templateObjects(chart, [])
        #expect(!result.succeeded)
        #expect(result.stderr.contains("set ociRegistry.username and ociRegistry.password"))
        #expect(result.stderr.contains("ociRegistry.existingSecret"))
        withExtendedLifetime(dir) {}
    }

    @Test func anExistingSecretReplacesCredentials() throws {
        let (dir, chart) = try render("ccfraud/edgepack.yaml")
        let (result, objects) = try templateObjects(chart, ["ociRegistry.existingSecret=edge-creds"])
        #expect(result.succeeded, "\(result.stderr)")
        #expect(!objects.contains { $0["kind"] as? String == "Secret" })
        let deployment = try #require(object(objects, kind: "Deployment", name: "engine"))
        let env = deployment[path: "spec.template.spec.containers.0.env"] as? [[String: Any]] ?? []
        #expect(env.contains { ($0 as [String: Any])[path: "valueFrom.secretKeyRef.name"] as? String == "edge-creds" })
        withExtendedLifetime(dir) {}
    }

    @Test(arguments: fixtures)
    func composeFileIsAcceptedByDockerCompose(definition: String) throws {
        let (dir, _) = try render(definition)
        let config = try run("docker-compose", ["-f", dir.file("out/compose.yaml"), "config"], environment: ["OCI_USERNAME": "u", "OCI_PASSWORD": "p"])
        #expect(config.succeeded, "\(config.stderr)")
        #expect(config.stdout.contains("PIPELINE_URL: \(registry)/pipelines/"))
        let schema = try run(repositoryRoot + "/scripts/check-compose-schema", [dir.file("out/compose.yaml")])
        #expect(schema.status == 0 && schema.stdout.contains("valid against"), "the repository's own schema copy: \(schema.stdout)\(schema.stderr)")
        let compose = try #require(try Yams.load(yaml: String(contentsOfFile: dir.file("out/compose.yaml"), encoding: .utf8)) as? [String: Any])
        #expect(compose[path: "services.engine.environment.OCI_PASSWORD"] as? String == "${OCI_PASSWORD}")
        #expect(compose[path: "services.engine.ports.0"] as? String == "8080:8080")
        #expect(compose[path: "services.engine.volumes.0"] as? String == "persist:/persist")
    }

    @Test func twoRendersAreByteIdentical() throws {
        let (one, _) = try render("vgg16-clustering/edgepack.yaml")
        let (two, _) = try render("vgg16-clustering/edgepack.yaml")
        #expect(try run("diff", ["-r", one.file("out"), two.file("out")]).succeeded)
    }

    @Test func noSecretIsWrittenUnlessAsked() throws {
        let secret = ["OCI_USERNAME": "robot-user", "OCI_PASSWORD": "pa55-do-not-leak"]
        let (plain, _) = try render("ccfraud/edgepack.yaml", environment: secret)
        #expect(!(try run("grep", ["-r", "-a", "-l", "pa55-do-not-leak", plain.file("out")]).succeeded))
        let (embedded, chart) = try render("ccfraud/edgepack.yaml", ["--embed-credentials"], environment: secret)
        #expect(try String(contentsOfFile: embedded.file("out/values.yaml"), encoding: .utf8).contains("password: pa55-do-not-leak"))
        let mode = try FileManager.default.attributesOfItem(atPath: embedded.file("out/.env"))[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try run(tool("helm"), ["template", "edge", chart]).succeeded)
        let missing = try edgepack(["render", fixture("ccfraud/edgepack.yaml"), "-o", embedded.file("x"), "--embed-credentials"], environment: ["OCI_USERNAME": "", "OCI_PASSWORD": ""])
        #expect(missing.status == 1 && missing.stderr.hasPrefix("edgepack: error: --embed-credentials needs OCI_USERNAME"), "\(missing.stderr)")
        #expect(missing.stderr.split(separator: "\n").count == 1)
    }

    @Test func ownTemplatesReplaceTheBuiltInOnes() throws {
        let dir = try TemporaryDirectory()
        try FileManager.default.copyItem(atPath: repositoryRoot + "/Templates/helm", toPath: dir.file("mychart"))
        try dir.write("mychart/templates/extra-configmap.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: site-extra\ndata:\n  site: berlin\n")
        let (rendered, chart) = try render("vgg16-clustering/edgepack.yaml", ["--templates", dir.file("mychart")])
        defer { withExtendedLifetime(rendered) {} }
        let (result, objects) = try templateObjects(chart, ["ociRegistry.username=u", "ociRegistry.password=p"])
        #expect(result.succeeded, "\(result.stderr)")
        #expect(object(objects, kind: "ConfigMap", name: "site-extra") != nil)
        let bad = try edgepack(["render", fixture("vgg16-clustering/edgepack.yaml"), "-o", dir.file("o"), "--templates", dir.file("nothing-here")])
        #expect(bad.status == 1 && bad.stderr.hasPrefix("edgepack: error: "))
    }

    @Test func withoutARegistryURLsUseAMarkedPlaceholder() throws {
        let dir = try TemporaryDirectory()
        let result = try edgepack(["render", fixture("vgg16-clustering/edgepack.yaml"), "-o", dir.path])
        #expect(result.succeeded)
        #expect(result.stdout.contains("no registry given"))
        #expect(try String(contentsOfFile: dir.file("compose.yaml"), encoding: .utf8).contains("registry.invalid/set-registry-prefix/pipelines/"))
    }

    @Test func bundleCarriesTheChartAndComposeArtifacts() throws {
        let dir = try TemporaryDirectory()
        let export = try edgepack(["export", fixture("ccfraud/edgepack.yaml"), "-o", dir.file("b.tar"), "--registry", registry])
        #expect(export.succeeded, "\(export.stderr)")
        let listing = try edgepack(["inspect", dir.file("b.tar")]).stdout
        #expect(listing.range(of: #"charts/ccfraud-pipeline:0\.0\.1-2c5968b7-62fa-49f8-9489-aaf84cfb80aa +helm chart"#, options: .regularExpression) != nil, "\(listing)")
        #expect(listing.contains("compose/ccfraud-pipeline:2c5968b7-62fa-49f8-9489-aaf84cfb80aa"))
        let chartRef = "charts/ccfraud-pipeline:0.0.1-2c5968b7-62fa-49f8-9489-aaf84cfb80aa"
        let manifest = try run("skopeo", ["inspect", "--raw", "oci-archive:\(dir.file("b.tar")):\(chartRef)"])
        #expect(manifest.stdout.contains("application/vnd.cncf.helm.chart.content.v1.tar+gzip"))
        let copy = try run("skopeo", ["copy", "oci-archive:\(dir.file("b.tar")):\(chartRef)", "oci:\(dir.file("o")):chart"])
        #expect(copy.succeeded, "\(copy.stderr)")
    }
}

/// What a fixture asked for, read straight from its YAML (independently of edgepack's loader).
struct DefinitionSpec {
    var name: String, image: String, replicas: Int, cpus: String, memory: String

    init(_ path: String) throws {
        let yaml = try #require(try Yams.load(yaml: String(contentsOfFile: path, encoding: .utf8)) as? [String: Any])
        name = yaml["name"] as! String
        image = yaml[path: "engine.image"] as! String
        replicas = yaml[path: "deployment.replicas"] as? Int ?? 1
        let cpuValue = yaml[path: "deployment.cpus"]
        cpus = (cpuValue as? Int).map(String.init) ?? (cpuValue as? Double).map { String($0) } ?? "1"
        memory = yaml[path: "deployment.memory"] as? String ?? "1Gi"
    }

    func versionFromChart(_ chart: String) throws -> String {
        let text = try String(contentsOfFile: chart + "/Chart.yaml", encoding: .utf8)
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("version: ") })
        return String(line.dropFirst("version: 0.0.1-".count))
    }
}
