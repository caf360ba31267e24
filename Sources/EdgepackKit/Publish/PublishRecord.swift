import Foundation
import OCIKit

/// What `edgepack publish` (and `push`) report: SPEC's "publish record", field names fixed.
public struct PublishRecord: Encodable, Sendable {
    public struct Helm: Encodable, Sendable {
        public var chart: String
        public var reference: String
        public var version: String
        var values: HelmValues
    }

    public struct Model: Encodable, Sendable {
        public var name: String
        public var version: String
        public var digest: String
        public var url: String
    }

    public var pipelineName: String
    public var pipelineVersion: String
    public var status = "Published"
    public var engineURL: String
    public var pipelineURL: String
    public var pipelineDigest: String
    public var helm: Helm
    public var composeURL: String
    public var models: [Model]
    public var engineConfig: EngineConfig
    public var dockerRun: String
    public var podmanRun: String
    public var helmInstall: String
    public var createdAt: String

    enum CodingKeys: String, CodingKey {
        case status, helm, models
        case pipelineName = "pipeline_name", pipelineVersion = "pipeline_version", engineURL = "engine_url"
        case pipelineURL = "pipeline_url", pipelineDigest = "pipeline_digest", composeURL = "compose_url"
        case engineConfig = "engine_config", dockerRun = "docker_run", podmanRun = "podman_run"
        case helmInstall = "helm_install", createdAt = "created_at"
    }

    init(build: PipelineBuild, manifests: [String: Digest], createdAt: Date) {
        let layout = build.layout
        let name = build.definition.name
        let chartDigest = manifests[build.chart.artifact.reference] ?? build.chart.artifact.manifestBlob.descriptor.digest
        pipelineName = name
        pipelineVersion = build.version
        engineURL = build.definition.engine.image
        pipelineURL = layout.pipeline(name, build.version)
        pipelineDigest = (manifests[build.pipeline.reference] ?? build.pipeline.manifestBlob.descriptor.digest).string
        helm = Helm(chart: "oci://\(layout.chartRepository(name))", reference: "\(layout.chartRepository(name))@\(chartDigest)",
                    version: build.chart.metadata.version, values: build.chart.values)
        composeURL = layout.compose(name, build.version)
        models = build.models.map { model in
            Model(name: model.spec.name, version: model.version, digest: model.layer.descriptor.digest.string,
                  url: layout.model(model.spec.name, model.version))
        }
        engineConfig = build.config.engineConfig
        dockerRun = build.commands.dockerRun
        podmanRun = build.commands.podmanRun
        helmInstall = build.commands.helmInstall
        self.createdAt = ISO8601DateFormatter().string(from: createdAt)
    }

    public func json() throws -> String {
        try CanonicalJSON.prettyText(self)
    }

    /// The record as people read it: a two-column table, then the commands.
    public func table() throws -> String {
        let config = String(decoding: try CanonicalJSON.encode(engineConfig), as: UTF8.self)
        let rows: [(String, String)] = [
            ("Pipeline", pipelineName), ("Pipeline version", pipelineVersion), ("Status", status),
            ("Engine URL", engineURL), ("Pipeline URL", pipelineURL), ("Pipeline digest", pipelineDigest),
            ("Helm chart URL", helm.chart), ("Helm chart reference", helm.reference), ("Helm chart version", helm.version),
            ("Compose URL", composeURL),
        ] + models.map { ("Model \($0.name)", "\($0.url) (\($0.digest))") } + [("Engine config", config), ("Created at", createdAt)]
        let width = rows.map(\.0.count).max() ?? 0
        let table = rows.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }.joined(separator: "\n")
        return table + "\n\nRun it with Docker:\n\(dockerRun)\n\nWith Podman:\n\(podmanRun)\n\nWith Helm:\n\(helmInstall)\n"
    }
}
