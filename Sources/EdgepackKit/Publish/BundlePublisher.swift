import Foundation
import OCIKit

/// Pushes an offline bundle into a (site's own) registry. Models and the pipeline go as they are, read straight
/// out of the bundle; the chart and compose file name registry URLs, so they are rendered again for the new
/// registry from what the bundle carries (pipeline config, engine image, the chart's own templates), exactly as
/// `publish` would render them for that registry.
public struct BundlePublisher: Sendable {
    public let client: RegistryClient
    private let onEvent: (@Sendable (CopyEvent) -> Void)?

    public init(client: RegistryClient, onEvent: (@Sendable (CopyEvent) -> Void)? = nil) {
        self.client = client
        self.onEvent = onEvent
    }

    /// `extra` adds what goes beside the release (signatures, attestations) for the rebuilt artifacts.
    public func push(_ bundle: ImageLayoutBundle, to layout: RegistryLayout,
                     extra: (PipelineBuild) throws -> [Artifact] = { _ in [] }) throws -> (record: PublishRecord, summary: CopySummary) {
        let build = try rebuild(bundle, for: layout)
        return try Publisher(client: client, layout: layout, onEvent: onEvent).publish(build, artifacts: build.artifacts + extra(build))
    }

    /// The bundle's release, rendered for `layout` (chart and compose name the new registry).
    public func rebuild(_ bundle: ImageLayoutBundle, for layout: RegistryLayout) throws -> PipelineBuild {
        try ReleaseRenderer().render(try Release(bundle: bundle), for: layout)
    }

    /// The chart's own files (its templates), from the chart package inside the bundle.
    static func templates(fromChart artifact: Artifact, in bundle: ImageLayoutBundle) throws -> ChartTemplates {
        guard let layer = artifact.manifest.layers.first else { return .builtIn }
        let scratch = TemporaryFiles.scratchPath("chart")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        try FileManager.default.createDirectory(atPath: scratch + "/files", withIntermediateDirectories: true)
        try Data(try bundle.bytes(layer)).write(to: URL(fileURLWithPath: scratch + "/chart.tgz"))
        try TarExtractor.extract(scratch + "/chart.tgz", into: scratch + "/files")
        guard let top = try FileManager.default.contentsOfDirectory(atPath: scratch + "/files").first else { return .builtIn }
        return try ChartTemplates.load(directory: scratch + "/files/" + top)
    }
}

extension Deployment {
    /// The deployment an engine config describes (what a bundle carries of the definition).
    init(_ config: EngineConfig) {
        let engine = config.engine.resources
        self.init(
            replicas: config.engine.replicas,
            resources: engine.resources,
            arch: Architecture(rawValue: engine.arch) ?? .x86,
            accel: engine.accelerator,
            qaic: engine.accel.qaicConfig,
            sidekicks: config.sidekicks.map {
                Sidekick(model: $0.model, resources: $0.resources.resources, arch: Architecture(rawValue: $0.resources.arch) ?? .x86,
                         accel: $0.resources.accelerator, qaic: $0.resources.accel.qaicConfig, image: $0.resources.image)
            }
        )
    }
}
