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

    /// What publish and push record beside the pipeline: the action, the channel to move, who publishes.
    func publication(action: String, sourceCommit: String?) -> PublishLedger.Publication {
        PublishLedger.Publication(action: action, channel: channel, createdBy: PublishAuthor.resolve(explicit: createdBy),
                                  sourceCommit: sourceCommit, toolVersion: EdgepackVersion.string)
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
