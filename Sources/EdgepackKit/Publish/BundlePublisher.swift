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
        try push(try rebuild(bundle, for: layout), from: bundle, extra: extra)
    }

    /// Pushes a release already read from `bundle` and rendered for its registry (`rebuild`). The blobs a delta
    /// bundle leaves out must be in the registry already.
    public func push(_ build: PipelineBuild, from bundle: ImageLayoutBundle,
                     extra: (PipelineBuild) throws -> [Artifact] = { _ in [] }) throws -> (record: PublishRecord, summary: CopySummary) {
        let absent = Set(try bundle.absentBlobs().map(\.digest))
        return try Publisher(client: client, layout: build.layout, onEvent: onEvent).publish(build, artifacts: build.artifacts + extra(build), absent: absent)
    }

    /// The bundle's release, rendered for `layout` (chart and compose name the new registry).
    public func rebuild(_ bundle: ImageLayoutBundle, for layout: RegistryLayout) throws -> PipelineBuild {
        try ReleaseRenderer().render(try Release(bundle: bundle), for: layout)
    }
}
