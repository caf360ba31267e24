import EdgepackKit
import Foundation
import OCIKit

/// `agent --watch`: one bundle from the inbox into the site's registry, as `push --channel` does: its signatures
/// checked with --verify-key first, its own signatures and attestations carried along, the agent's channel moved.
struct AgentBundleIntake {
    let client: RegistryClient
    let settings: AgentSettings

    func push(_ bundle: ImageLayoutBundle) throws {
        let rebuilt = try PipelineBuild(bundle: bundle, for: settings.layout)
        guard rebuilt.name == settings.pipeline else {
            throw OCIError(.invalidReference, "the bundle holds the pipeline \(rebuilt.name), not \(settings.pipeline) which this agent follows")
        }
        if let (key, name) = settings.verification {
            _ = try PipelineVerifier.verify(bundle: bundle, key: key, keyName: name)
        }
        let publication = PublishLedger.Publication(action: "push", channel: settings.channel, createdBy: "edgepack-agent@\(settings.site)",
                                                    sourceCommit: nil, toolVersion: EdgepackVersion.string)
        _ = try Publisher(client: client, layout: settings.layout)
            .publish(rebuilt, signing: SupplyChain(key: nil, attest: false, toolVersion: EdgepackVersion.string), from: bundle, publication: publication)
    }
}
