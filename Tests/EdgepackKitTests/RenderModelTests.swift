import Foundation
import Testing
import TestSupport
@testable import EdgepackKit
@testable import OCIKit

@Suite struct RenderModelTests {
    @Test func embeddedTemplatesMatchTemplatesHelm() throws {
        let directory = repositoryRoot + "/Templates/helm"
        let onDisk = try ChartTemplates.load(directory: directory).files.sorted { $0.path < $1.path }
        let embedded = ChartTemplates.builtIn.files.sorted { $0.path < $1.path }
        #expect(onDisk.map(\.path) == embedded.map(\.path), "run scripts/embed-templates")
        #expect(onDisk == embedded, "Templates/helm changed: run scripts/embed-templates")
    }

    @Test(arguments: [("4Gi", "4g"), ("512Mi", "512m"), ("1Ti", "1t"), ("1G", "1000000000"), ("1.5Gi", "1610612736"), ("1e9", "1000000000"), ("2000", "2000")])
    func composeMemoryUsesDockerUnits(quantity: String, expected: String) {
        #expect(ComposeFile.memory(quantity) == expected)
    }

    @Test(arguments: [(0.25, "0.25"), (1, "1"), (4, "4"), (1.5, "1.5")])
    func numbersAreWrittenPlainly(value: Double, text: String) {
        #expect(NumberText.format(value) == text)
    }

    @Test func registryLayoutNamesEveryArtifact() throws {
        let layout = try RegistryLayout(prefix: "oci://ghcr.io/acme/edge/")
        #expect(layout.prefix == "ghcr.io/acme/edge")
        #expect(layout.host == "ghcr.io")
        #expect(layout.pipeline("p", "v") == "ghcr.io/acme/edge/pipelines/p:v")
        #expect(layout.model("m", "v") == "ghcr.io/acme/edge/models/m:v")
        #expect(layout.chartRepository("p") == "ghcr.io/acme/edge/charts/p")
        #expect(layout.compose("p", "v") == "ghcr.io/acme/edge/compose/p:v")
        #expect(try RegistryLayout(prefix: "localhost:5000").host == "localhost:5000")
    }

    @Test(arguments: ["", "ghcr.io/Acme", "ghcr.io/acme edge", "ghcr.io//x", "ghcr.io/a@sha256"])
    func invalidRegistryPrefixesAreRefused(prefix: String) {
        #expect(throws: OCIError.self) { try RegistryLayout(prefix: prefix) }
    }

    @Test func chartArtifactIsWhatHelmPushWrites() throws {
        let build = try buildFixture(fixture("ccfraud/edgepack.yaml"))
        let chart = build.chart.artifact
        #expect(chart.reference == "charts/ccfraud-pipeline:0.0.1-2c5968b7-62fa-49f8-9489-aaf84cfb80aa")
        #expect(chart.manifest.config.mediaType == "application/vnd.cncf.helm.config.v1+json")
        #expect(chart.manifest.layers.map(\.mediaType) == ["application/vnd.cncf.helm.chart.content.v1.tar+gzip"])
        #expect(chart.manifest.annotations?[AnnotationKey.title] == "ccfraud-pipeline")
        #expect(chart.manifest.annotations?[AnnotationKey.version] == "0.0.1-2c5968b7-62fa-49f8-9489-aaf84cfb80aa")
        let config = try #require(try JSONSerialization.jsonObject(with: Data(chart.config.content.bytesIfInMemory ?? [])) as? [String: Any])
        #expect(config["apiVersion"] as? String == "v2")
        #expect(config["appVersion"] as? String == "v2023.3.0-main-3731")
        #expect((config["annotations"] as? [String: String])?["edgepack.dev/pipeline-digest"] == build.pipeline.manifestBlob.descriptor.digest.string)
    }

    @Test func composeArtifactIsWhatDockerComposeReads() throws {
        let build = try buildFixture(fixture("vgg16-clustering/edgepack.yaml"))
        let compose = build.compose.artifact
        #expect(compose.manifest.artifactType == "application/vnd.docker.compose.project")
        #expect(compose.manifest.config.mediaType == MediaType.empty)
        #expect(compose.manifest.config.digest.string == "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a")
        #expect(compose.manifest.layers.first?.mediaType == "application/vnd.docker.compose.file+yaml")
        #expect(compose.manifest.layers.first?.annotations?["com.docker.compose.file"] == "compose.yaml")
        #expect(compose.layers.first?.content.bytesIfInMemory == build.compose.yaml)
    }

    @Test func chartPackageIsDeterministicAndNamedLikeHelmPackage() throws {
        let first = try buildFixture(fixture("vgg16-clustering/edgepack.yaml")).chart
        let second = try buildFixture(fixture("vgg16-clustering/edgepack.yaml")).chart
        #expect(first.package == second.package)
        #expect(first.packageFileName == "vgg16-clustering-pipeline-\(first.metadata.version).tgz")
        #expect(first.package.prefix(2) == [0x1f, 0x8b])
        #expect(first.package[4..<8] == [0, 0, 0, 0], "gzip header must carry no timestamp")
    }

    @Test func rocmGPUsAreAMDDevicesInTheChartAndCompose() throws {
        let yaml = """
            name: rocm
            engine: {image: ghcr.io/acme/engine:v1}
            deployment:
              gpus: 2
              accel: rocm
              sidekicks:
                ccfraud: {gpus: 1, accel: rocm, image: ghcr.io/acme/runtime:1}
            models: [{name: ccfraud, path: models/ccfraud.onnx, framework: onnx}]
            steps: [{model: ccfraud}]
            """
        let definition = try DefinitionLoader.parse(yaml, file: "rocm.yaml", baseDirectory: fixture("ccfraud"))
        let build = try Workspace(useCache: false).build(definition)
        #expect(build.chart.values.resources.limits.entries.contains { $0.key == "amd.com/gpu" && $0.value == "2" })
        #expect(build.chart.values.engineAux.images.entries.first?.value.resources.requests.entries.contains { $0.key == "amd.com/gpu" && $0.value == "1" } == true)
        let compose = String(decoding: build.compose.yaml, as: UTF8.self)
        #expect(compose.contains("devices:\n    - /dev/kfd\n    - /dev/dri"), "\(compose)")
        #expect(!compose.contains("driver: nvidia"))
    }

    @Test func deployCommandsNeverCarryASecret() throws {
        let commands = try buildFixture(fixture("ccfraud/edgepack.yaml")).commands
        for command in [commands.dockerRun, commands.podmanRun, commands.helmInstall] {
            #expect(command.contains("\"$OCI_PASSWORD\""))
        }
        #expect(commands.helmInstall.contains("--version 0.0.1-2c5968b7-62fa-49f8-9489-aaf84cfb80aa"))
    }
}
