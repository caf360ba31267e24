import Foundation
import OCIKit

/// Publishes a build: one copy of its artifacts (models first, then the pipeline, chart and compose) into a
/// destination — a registry under the layout's prefix, or an OCI layout — and the publish record for it.
public struct Publisher: Sendable {
    public let destination: any ContentDestination
    public let concurrency: Int
    private let onEvent: (@Sendable (CopyEvent) -> Void)?

    public init(destination: any ContentDestination, concurrency: Int = Copier.defaultConcurrency, onEvent: (@Sendable (CopyEvent) -> Void)? = nil) {
        self.destination = destination
        self.concurrency = concurrency
        self.onEvent = onEvent
    }

    /// Publishing into the registry a layout names, through a connected client for its host; `digester` (the
    /// build's) spares uploads a second hash of the model files its cache vouches for.
    public init(client: RegistryClient, layout: RegistryLayout, digester: FileDigester? = nil, onEvent: (@Sendable (CopyEvent) -> Void)? = nil) {
        self.init(destination: RegistryDestination(client: client, prefixPath: Self.split(layout).path, digester: digester),
                  concurrency: client.options.concurrency, onEvent: onEvent)
    }

    /// Tells the destination every repository a copy goes to, before anything else asks it something.
    public func prepare(_ copy: ReleaseCopy) {
        var seen = Set<String>()
        destination.prepare(repositories: copy.items.map(\.repository).filter { seen.insert($0).inserted })
    }

    /// The registry host and the path under it for a layout's prefix.
    public static func split(_ layout: RegistryLayout) -> (host: String, path: String) {
        let parts = layout.prefix.split(separator: "/", maxSplits: 1)
        return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
    }

    /// Copies the build's artifacts (or `artifacts`: the build's and what goes beside them, such as signatures).
    /// `absent`: blobs the artifacts reference but do not carry (a delta bundle's), which must be in the registry.
    public func publish(_ build: PipelineBuild, artifacts: [Artifact]? = nil, absent: Set<Digest> = []) throws -> (record: PublishRecord, summary: CopySummary) {
        guard !build.layout.isPlaceholder else {
            throw OCIError(.invalidReference, "no registry to publish to: name a registry prefix (e.g. ghcr.io/acme/edge)")
        }
        let artifacts = artifacts ?? build.artifacts
        let registry = destination as? RegistryDestination
        let summary = try ReleaseCopy(build, artifacts: artifacts, absent: absent, referrerTags: registry == nil)
            .copy(to: destination, concurrency: concurrency, onEvent: onEvent)
        if let registry {
            for image in build.release.images {
                let repository = registry.prefixPath.isEmpty ? image.repository : "\(registry.prefixPath)/\(image.repository)"
                try image.referrers.list(in: registry.client, repository: repository, imageTag: image.tag)
            }
        }
        let digests = Dictionary(artifacts.map { ($0.reference, $0.manifestBlob.descriptor.digest) }) { first, _ in first }
        return (PublishRecord(build: build, manifests: digests, createdAt: Date()), summary)
    }
}
