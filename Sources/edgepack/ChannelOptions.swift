import ArgumentParser
import EdgepackKit
import Foundation
import OCIKit

/// --channel and --created-by: what publish and push record in the registry beside the pipeline, and the
/// channel they move once everything is in.
struct ChannelOptions: ParsableArguments {
    @Option(help: "Once everything is in the registry, point the channel tags pipelines/NAME:CHANNEL and compose/NAME:CHANNEL at this version (e.g. prod).")
    var channel: String?

    @Option(help: "Who publishes, for the publish record (default: $EDGEPACK_CREATED_BY, the CI's actor, git's user.email, or USER@host).")
    var createdBy: String?

    /// The channel's name is checked before anything is built, hashed or sent.
    func validate() throws {
        try channel.map { try checkChannel($0) }
    }

    /// Records the publish in the registry, moves the channel, and returns the record with what that added:
    /// `replaces`, `created_by`, and `created_at`/`updated_at` from the version's first and latest records.
    func conclude(_ record: PublishRecord, client: RegistryClient, layout: RegistryLayout, action: String, sourceCommit: String?) throws -> PublishRecord {
        let ledger = PublishLedger(client: client, layout: layout, pipeline: record.pipelineName)
        let publication = PublishLedger.Publication(action: action, version: record.pipelineVersion, channel: channel,
                                                    createdBy: PublishAuthor.resolve(explicit: createdBy), sourceCommit: sourceCommit,
                                                    toolVersion: EdgepackVersion.string)
        let (events, replaces) = try ledger.conclude(publication)
        var record = record
        record.replaces = replaces
        if let first = events.first, let last = events.last {
            (record.createdAt, record.createdBy, record.updatedAt) = (first.createdAt, first.createdBy, last.createdAt)
        }
        return record
    }
}

/// --channel NAME checked as EdgepackKit checks a channel's name, its message naming the option.
func checkChannel(_ name: String) throws {
    do {
        try ChannelName.check(name)
    } catch let error as OCIError {
        throw ValidationError("--channel: \(error.message)")
    }
}
