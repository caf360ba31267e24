import Foundation
import OCIKit

/// A channel of a pipeline (`prod`, `canary`): the tags `pipelines/NAME:CHANNEL` and `compose/NAME:CHANNEL`,
/// which follow one published version. An engine that fetches `…/pipelines/NAME:prod` runs whatever `prod` names.
public struct Channel: Sendable {
    public let client: RegistryClient
    public let layout: RegistryLayout
    public let pipeline: String
    public let name: String

    public init(client: RegistryClient, layout: RegistryLayout, pipeline: String, name: String) throws {
        try ChannelName.check(name)
        self.client = client
        self.layout = layout
        self.pipeline = pipeline
        self.name = name
    }

    var prefixPath: String { Publisher.split(layout).path }
    var pipelineRepository: Repository { PipelineRepositories(layout: layout, pipeline: pipeline).pipelines }
    var composeRepository: Repository { PipelineRepositories(layout: layout, pipeline: pipeline).compose }

    /// The version a pipeline manifest is (its `org.opencontainers.image.version`).
    func version(of digest: OCIKit.Digest) throws -> String {
        let (manifest, _) = try client.fetchManifest(ManifestReference(digest.string), in: pipelineRepository)
        guard let version = manifest.annotations?[AnnotationKey.version] else {
            throw OCIError(.invalidLayout, "\(pipelineRepository)@\(digest) does not name its version; it was not published by edgepack")
        }
        return version
    }

    /// Makes `compose/NAME:CHANNEL` name the compose file of the version `pipelines/NAME:CHANNEL` names, until the
    /// pipeline tag stays the same across that write.
    func settle() throws {
        for _ in 0..<10 {
            guard let pipelineDigest = try client.manifestDigest(ManifestReference(name), in: pipelineRepository) else { return }
            let version = try version(of: pipelineDigest)
            if let composeDigest = try client.manifestDigest(ManifestReference(version), in: composeRepository),
               try client.manifestDigest(ManifestReference(name), in: composeRepository) != composeDigest {
                let fetched = try client.fetchManifestBytes(ManifestReference(composeDigest.string), in: composeRepository)
                try client.putManifest(fetched.blob, as: .tag(name), in: composeRepository)
            }
            if try client.manifestDigest(ManifestReference(name), in: pipelineRepository) == pipelineDigest { return }
        }
        throw OCIError(.registry, "the channel \(name) of \(pipeline) keeps moving under another writer; try again")
    }
}

/// The repositories of one pipeline under a prefix, as registry paths.
struct PipelineRepositories {
    var pipelines: Repository
    var compose: Repository
    var charts: Repository

    /// `pipeline`: a name the definition or the caller checked (`Repository.checkComponent`).
    init(layout: RegistryLayout, pipeline: String) {
        let prefix = Repository(unchecked: Publisher.split(layout).path)
        pipelines = prefix.appending("pipelines/\(pipeline)")
        compose = prefix.appending("compose/\(pipeline)")
        charts = prefix.appending("charts/\(pipeline)")
    }
}
