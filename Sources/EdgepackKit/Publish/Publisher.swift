import Foundation
import OCIKit

/// Pushes a build to the registry its layout names (or to any `ArtifactDestination`), models first, and
/// returns the publish record.
public struct Publisher: Sendable {
    public let client: RegistryClient?
    private let destination: (any ArtifactDestination)?
    private let onEvent: (@Sendable (ArtifactPusher.Event) -> Void)?

    public init(client: RegistryClient, onEvent: (@Sendable (ArtifactPusher.Event) -> Void)? = nil) {
        self.client = client
        self.destination = nil
        self.onEvent = onEvent
    }

    /// Publishes into another destination (an OCI layout, in tests) with the same flow and record.
    public init(destination: any ArtifactDestination) {
        self.client = nil
        self.destination = destination
        self.onEvent = nil
    }

    /// The registry host and the path under it for a layout's prefix.
    public static func split(_ layout: RegistryLayout) -> (host: String, path: String) {
        let parts = layout.prefix.split(separator: "/", maxSplits: 1)
        return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
    }

    public func publish(_ build: PipelineBuild) throws -> PublishRecord {
        guard !build.layout.isPlaceholder else {
            throw OCIError(.invalidReference, "no registry to publish to: pass --registry (e.g. ghcr.io/acme/edge) or set 'registry' in the definition")
        }
        let target: any ArtifactDestination
        if let destination {
            target = destination
        } else {
            let client = client!
            try client.ping()
            target = ArtifactPusher(client: client, prefixPath: Self.split(build.layout).path, onEvent: onEvent)
        }
        return PublishRecord(build: build, manifests: try target.push(build.artifacts), createdAt: Date())
    }
}
