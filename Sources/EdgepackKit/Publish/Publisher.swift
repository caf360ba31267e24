import Foundation
import OCIKit

/// Pushes a build to the registry its layout names, models first, and returns the publish record.
public struct Publisher: Sendable {
    public let client: RegistryClient

    public init(client: RegistryClient) {
        self.client = client
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
        try client.ping()
        let pusher = ArtifactPusher(client: client, prefixPath: Self.split(build.layout).path)
        let digests = try pusher.push(build.artifacts)
        return PublishRecord(build: build, manifests: digests, createdAt: Date())
    }
}
