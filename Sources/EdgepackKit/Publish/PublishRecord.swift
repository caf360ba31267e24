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

    /// What the channel pointed to before this publish moved it.
    public struct Replaced: Codable, Sendable, Equatable {
        public var pipelineVersion: String
        public var pipelineDigest: String

        enum CodingKeys: String, CodingKey {
            case pipelineVersion = "pipeline_version", pipelineDigest = "pipeline_digest"
        }

        public init(pipelineVersion: String, pipelineDigest: String) {
            self.pipelineVersion = pipelineVersion
            self.pipelineDigest = pipelineDigest
        }
    }

    public var pipelineName: String
    public var pipelineVersion: String
    public var status = "Published"
    /// Where the engine runs from: its mirror `PREFIX/engine:TAG`, or `engine.image` when not mirrored.
    public var engineURL: String
    /// The engine manifest's digest (the mirror's, equal to its source's), or the digest `engine.image` pins.
    public var engineDigest: String?
    /// Where the mirrored engine was read from (`engine.source`, else `engine.image`); nil when not mirrored.
    public var engineSource: String?
    public var pipelineURL: String
    public var pipelineDigest: String
    public var helm: Helm
    public var composeURL: String
    public var models: [Model]
    public var engineConfig: EngineConfig
    public var dockerRun: String
    public var podmanRun: String
    public var helmInstall: String
    /// The engine's `-e` settings in `docker_run`/`podman_run`, as Wallaroo's record has them.
    public var dockerRunVariables: [String: String]
    /// Images the pipeline runs besides the engine (its sidekicks').
    public var userImages: [String]
    public var replaces: [Replaced] = []
    public var createdBy: String
    public var createdAt: String
    public var updatedAt: String

    enum CodingKeys: String, CodingKey {
        case status, helm, models
        case pipelineName = "pipeline_name", pipelineVersion = "pipeline_version", engineURL = "engine_url"
        case engineDigest = "engine_digest", engineSource = "engine_source"
        case pipelineURL = "pipeline_url", pipelineDigest = "pipeline_digest", composeURL = "compose_url"
        case engineConfig = "engine_config", dockerRun = "docker_run", podmanRun = "podman_run"
        case helmInstall = "helm_install", createdAt = "created_at", dockerRunVariables = "docker_run_variables"
        case userImages = "user_images", replaces, createdBy = "created_by", updatedAt = "updated_at"
    }

    init(build: PipelineBuild, manifests: [String: Digest], createdAt: Date, createdBy: String = PublishRecord.currentUser()) {
        let layout = build.layout
        let name = build.release.name
        let chartDigest = manifests[build.chart.artifact.reference] ?? build.chart.artifact.manifestBlob.descriptor.digest
        pipelineName = name
        pipelineVersion = build.version
        let engine = build.release.engineLocation(in: layout)
        engineURL = build.release.engineImage == nil ? build.release.engine.image : engine.tagged
        engineDigest = engine.digest?.string
        engineSource = build.release.engineImage?.source
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
        dockerRunVariables = build.commands.dockerRunVariables
        var images: [String] = []
        for sidekick in build.release.deployment.sidekicks {
            guard let location = build.release.sidekickLocation(sidekick, in: layout) else { continue }
            let image = build.release.images.isEmpty ? location.reference : location.tagged
            if !images.contains(image) { images.append(image) }
        }
        userImages = images
        self.createdBy = createdBy
        self.createdAt = ISO8601DateFormatter().string(from: createdAt)
        updatedAt = self.createdAt
    }

    /// Who published (see `PublishAuthor`).
    public static func currentUser(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        PublishAuthor.resolve(environment: environment)
    }

    public func json() throws -> String {
        try CanonicalJSON.prettyText(self)
    }

    /// The record as people read it: a two-column table, then the commands.
    public func table() throws -> String {
        let config = String(decoding: try CanonicalJSON.encode(engineConfig), as: UTF8.self)
        let rows: [(String, String)] = [
            ("Pipeline", pipelineName), ("Pipeline version", pipelineVersion), ("Status", status),
            ("Engine URL", engineURL + (engineSource.map { " (mirrored from \($0))" } ?? "")), ("Engine digest", engineDigest ?? "-"),
            ("Pipeline URL", pipelineURL), ("Pipeline digest", pipelineDigest),
            ("Helm chart URL", helm.chart), ("Helm chart reference", helm.reference), ("Helm chart version", helm.version),
            ("Compose URL", composeURL),
        ] + models.map { ("Model \($0.name)", "\($0.url) (\($0.digest))") } + [
            ("Engine config", config), ("User images", userImages.joined(separator: ", ")), ("Created by", createdBy),
            ("Created at", createdAt), ("Updated at", updatedAt),
        ]
        let width = rows.map(\.0.count).max() ?? 0
        let table = rows.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }.joined(separator: "\n")
        let note = "(set EDGE_PORT, OCI_USERNAME and OCI_PASSWORD; for Helm, HELM_INSTALL_NAME and HELM_INSTALL_NAMESPACE)"
        return table + "\n\nRun it with Docker:\n\(dockerRun)\n\nWith Podman:\n\(podmanRun)\n\nWith Helm:\n\(helmInstall)\n\n\(note)\n"
    }
}
