import Foundation
import OCIKit

/// What a move of a channel did: whether the pipeline tag was written, and the version it replaced.
struct ChannelMoveOutcome {
    var moved: Bool
    var replaces: [PublishRecord.Replaced]
}

/// A note a mover attaches to the version it moves to, before it writes the channel tag: "channel C, moving
/// from D0, since T". Registries cannot compare-and-set a tag, so two movers that read the same D0 cannot tell
/// from the tag alone which of them wrote second; the later one finds the earlier one's note (attached before
/// that one's write, so before its own) and learns whom it replaced. A referrer of the version, beside its
/// publish records, with no content but its annotations.
struct ChannelMoveIntent {
    static let artifactType = "application/vnd.edgepack.channel.move.v1"
    static let fromKey = "edgepack.dev/from"
    static let channelKey = "edgepack.dev/channel"
    /// How long a note of a mover that never finished (killed) may make others wait for its record.
    static let freshness: TimeInterval = 300

    var channel: String
    var from: String?
    var createdAt: String

    func artifact(subject: Descriptor, repository: String) throws -> Artifact {
        let empty = Blob(mediaType: MediaType.empty, bytes: Array("{}".utf8))
        let annotations = [AnnotationKey.created: createdAt, Self.channelKey: channel, Self.fromKey: from ?? "none"]
        var subject = subject
        subject.annotations = nil
        let manifest = Manifest(artifactType: Self.artifactType, config: empty.descriptor, layers: [empty.descriptor], subject: subject, annotations: annotations)
        return try Artifact(reference: "\(repository):intent", manifest: manifest, config: empty, layers: [empty])
    }
}

extension Channel {
    /// How long a mover waits for a racing mover to finish before it decides without it.
    static let raceWait: TimeInterval = 20

    /// Points the channel at `target` and says what it replaced, racing movers included (docs/channels.md,
    /// "Racing moves"): reads the channel, notes the move on the target (`note`), writes the tag, then looks for
    /// movers that read the same channel value; for each, waits until either its record shows it finished while
    /// the channel still names this move's version (it wrote first: this move replaced it), or the channel names
    /// another version (someone wrote after this move).
    func move(to target: ChannelTarget, ledger: PublishLedger, note: (ChannelMoveIntent) throws -> Void) throws -> ChannelMoveOutcome {
        try checkComplete(target)
        let readAt = Date()
        let before = try client.manifestDigest(.tag(name), in: pipelineRepository)
        guard before != target.pipelineDigest else {
            try settle()
            return ChannelMoveOutcome(moved: false, replaces: [])
        }
        let intent = ChannelMoveIntent(channel: name, from: before?.string, createdAt: PublishEvent.timestamp(Date()))
        try note(intent)
        _ = try client.putManifest(target.pipeline, as: .tag(name), in: pipelineRepository)
        try settle()
        let replaced = try predecessor(of: target, readAt: readAt, from: before, ledger: ledger)
        // A channel left on something that is not a version (by an older edgepack) is still replaced, and said so.
        return ChannelMoveOutcome(moved: true, replaces: replaced.map { replaced in
            [PublishRecord.Replaced(pipelineVersion: replaced.version ?? (try? version(of: replaced.digest)) ?? "unknown", pipelineDigest: replaced.digest.string)]
        } ?? [])
    }

    /// Every blob of the target's pipeline and compose manifests is in the registry (the copier checks them
    /// before it writes a manifest; the manifests are written by digest, as they are already).
    private func checkComplete(_ target: ChannelTarget) throws {
        let items = [(target.pipeline, pipelineRepository, "pipelines/\(pipeline)"), (target.compose, composeRepository, "compose/\(pipeline)")].map { blob, repository, relative in
            CopyItem(descriptor: blob.descriptor, sourceRepository: repository, repository: relative, tag: nil)
        }
        let destination = RegistryDestination(client: client, prefixPath: prefixPath)
        try Copier(from: RegistrySource(client: client, cache: nil), to: destination, concurrency: client.options.concurrency).copy(items)
    }

    /// The version the tag named just before this move's write: `before`, unless a racing mover that read the
    /// same value wrote in between.
    private func predecessor(of target: ChannelTarget, readAt: Date, from before: Digest?, ledger: PublishLedger) throws -> (version: String?, digest: Digest)? {
        var racers = try ledger.racingMoves(on: name, from: before?.string, since: readAt, except: target.version)
        var wroteFirst: [RacingMove] = []
        let deadline = Date().addingTimeInterval(Self.raceWait)
        while !racers.isEmpty, Date() < deadline {
            guard try client.manifestDigest(.tag(name), in: pipelineRepository) == target.pipelineDigest else { break }
            // The channel still names this move: a racer whose record exists (it wrote before recording) wrote first.
            let finished = racers.filter { (try? ledger.hasRecord(of: $0)) ?? false }
            if !finished.isEmpty, try client.manifestDigest(.tag(name), in: pipelineRepository) == target.pipelineDigest {
                wroteFirst += finished
                racers.removeAll { racer in finished.contains { $0.digest == racer.digest } }
                continue
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        if let last = wroteFirst.max(by: { $0.intent.createdAt < $1.intent.createdAt }) { return (last.version, last.digest) }
        return before.map { (nil, $0) }
    }
}

/// Another mover's note, found on the version it moves to.
struct RacingMove {
    var version: String
    var digest: Digest
    var intent: ChannelMoveIntent
}

extension PublishLedger {
    /// The moves of `channel` from `from` (a digest, or nil for a channel not yet written) by other versions that
    /// were still under way at `readAt` (no record of that move before then) and are not older than the freshness
    /// bound: every version's referrers are read (one request per version).
    func racingMoves(on channel: String, from: String?, since readAt: Date, except version: String) throws -> [RacingMove] {
        let versions = try client.tags(of: repository).filter { ValueFormat.isUUID($0) && $0 != version }
        let found = try Parallel.map(versions, concurrency: client.options.concurrency * 4) { version -> RacingMove? in
            guard let digest = try client.manifestDigest(.tag(version), in: repository) else { return nil }
            let referrers = try client.referrers(of: digest, in: repository.path)
            let intents = referrers.compactMap { Self.intent(in: $0) }
                .filter { $0.channel == channel && $0.from == from && Self.isFresh($0.createdAt, at: readAt) }
            guard let intent = intents.max(by: { $0.createdAt < $1.createdAt }) else { return nil }
            let finishedBefore = referrers.contains { descriptor in
                Self.record(in: descriptor, channel: channel).map { $0 >= intent.createdAt && $0 < PublishEvent.timestamp(readAt) } ?? false
            }
            return finishedBefore ? nil : RacingMove(version: version, digest: digest, intent: intent)
        }
        return found.compactMap { $0 }
    }

    /// Whether the racer has recorded its move (which it does only after writing the channel tag).
    func hasRecord(of racer: RacingMove) throws -> Bool {
        try client.referrers(of: racer.digest, in: repository.path, artifactType: PublishEvent.artifactType).contains { descriptor in
            Self.record(in: descriptor, channel: racer.intent.channel).map { $0 >= racer.intent.createdAt } ?? false
        }
    }

    static func intent(in descriptor: Descriptor) -> ChannelMoveIntent? {
        guard descriptor.artifactType == ChannelMoveIntent.artifactType, let notes = descriptor.annotations,
              let channel = notes[ChannelMoveIntent.channelKey], let from = notes[ChannelMoveIntent.fromKey], let created = notes[AnnotationKey.created]
        else { return nil }
        return ChannelMoveIntent(channel: channel, from: from == "none" ? nil : from, createdAt: created)
    }

    /// The creation time of a publish record of `channel`, or nil when the descriptor is not one.
    static func record(in descriptor: Descriptor, channel: String) -> String? {
        guard descriptor.artifactType == PublishEvent.artifactType, descriptor.annotations?["edgepack.dev/channel"] == channel else { return nil }
        return descriptor.annotations?[AnnotationKey.created]
    }

    static func isFresh(_ created: String, at date: Date) -> Bool {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        guard let time = formatter.date(from: created) else { return false }
        return date.timeIntervalSince(time) < ChannelMoveIntent.freshness
    }
}
