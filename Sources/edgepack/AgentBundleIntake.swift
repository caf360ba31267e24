import EdgepackKit
import Foundation
import OCIKit

/// `agent --watch`: one bundle from the inbox into the site's registry, as `push --channel` does: its signatures
/// checked with --verify-key first, its own signatures and attestations carried along, the agent's channel moved.
struct AgentBundleIntake {
    let client: RegistryClient
    let settings: AgentSettings

    func push(_ bundle: ImageLayoutBundle) throws {
        let publisher = BundlePublisher(client: client)
        let rebuilt = try publisher.rebuild(bundle, for: settings.layout)
        guard rebuilt.name == settings.pipeline else {
            throw OCIError(.invalidReference, "the bundle holds the pipeline \(rebuilt.name), not \(settings.pipeline) which this agent follows")
        }
        if let (key, name) = settings.verification {
            _ = try PipelineVerifier.verify(bundle: bundle, key: key, keyName: name)
        }
        let existing = ExistingCosignImages(source: bundle)
        let (pushed, _) = try publisher.push(rebuilt, from: bundle) { rebuilt in
            try SupplyChain(key: nil, attest: false, toolVersion: EdgepackVersion.string, existing: existing)
                .artifacts(for: rebuilt, alsoSigning: rebuilt.imageManifests)
        }
        let publication = PublishLedger.Publication(action: "push", version: pushed.pipelineVersion, channel: settings.channel,
                                                    createdBy: "edgepack-agent@\(settings.site)", sourceCommit: nil, toolVersion: EdgepackVersion.string)
        try PublishLedger(client: client, layout: settings.layout, pipeline: pushed.pipelineName).conclude(publication)
    }
}
