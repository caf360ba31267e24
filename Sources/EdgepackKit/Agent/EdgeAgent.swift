import Foundation
import OCIKit

/// Follows a channel at a site. One poll is one `HEAD` of `pipelines/NAME:CHANNEL`; only a digest the site does
/// not run (and has not found bad) is fetched and applied: pulled into `STATE/staging` and renamed into
/// `STATE/versions/VERSION` once complete and verified, started by the runtime, health-checked, then
/// `STATE/current` is switched and older versions pruned. A version that does not start or become healthy is
/// rolled back (the version `current` names is started again) and remembered as bad until the channel moves.
/// A kill at any step leaves `current` on the version that ran before; the next poll applies again.
public final class EdgeAgent: @unchecked Sendable {
    public enum PollResult: Sendable, Equatable {
        /// Nothing new (or the channel still names a version found bad).
        case idle
        case attempted(AgentStatus.Outcome)
    }

    public let client: RegistryClient
    public let settings: AgentSettings
    public let state: AgentStateDirectory
    public let runtime: any AgentRuntime
    /// Called after every attempt with the status written (the report to the registry).
    public var onAttempt: ((AgentStatus) -> AgentStatus)?
    private var lock: Int32 = -1

    public init(client: RegistryClient, settings: AgentSettings, state: AgentStateDirectory, runtime: any AgentRuntime) throws {
        self.client = client
        self.settings = settings
        self.state = state
        self.runtime = runtime
        lock = try state.open()
    }

    deinit { if lock >= 0 { close(lock) } }

    /// The status on disk, with this agent's site, pipeline and channel.
    public func currentStatus() throws -> AgentStatus {
        var status = try state.readStatus() ?? AgentStatus(site: settings.site, pipeline: settings.pipeline, channel: settings.channel)
        status.site = settings.site
        status.pipeline = settings.pipeline
        status.channel = settings.channel
        return status
    }

    /// Whether the site runs a version that was applied and found healthy.
    public var runsGoodVersion: Bool { state.currentVersion() != nil }

    public func poll() throws -> PollResult {
        var status = try currentStatus()
        client.willRead(from: [settings.repository])
        guard let digest = try client.manifestDigest(.tag(settings.channel), in: settings.repository) else {
            throw OCIError(.notFound, "the channel \(settings.channel) of \(settings.pipeline) points at no version under \(settings.layout.prefix); publish one to it first")
        }
        if let running = state.currentVersion(), state.completeDigest(running) == digest.string {
            if status.version != running {  // stopped between the switch and the status write
                record(&status, applied: running, digest: digest.string)
            }
            return .idle
        }
        if status.badDigests.contains(digest.string) { return .idle }
        status.badDigests = []  // the channel moved on: what failed before may be tried again if it comes back
        let outcome = try attempt(digest, status: &status)
        return .attempted(outcome)
    }

    private func attempt(_ digest: Digest, status: inout AgentStatus) throws -> AgentStatus.Outcome {
        let target: AgentVersion
        do {
            target = try fetch(digest)
        } catch let refusal as Refusal {
            return finish(&status, .refused, refusal.message, version: refusal.version, digest: digest.string, bad: true)
        } catch let error as OCIError where error.code != .cancelled {
            return finish(&status, .failed, "could not fetch \(digest): \(error.message)", version: nil, digest: digest.string, bad: false)
        }
        do {
            try start(target)
        } catch let error as OCIError where error.code == .cancelled {
            throw error
        } catch {
            return rollBack(from: target, because: error, status: &status)
        }
        try state.switchCurrent(to: target.version)
        record(&status, applied: target.version, digest: target.digest)
        return .applied
    }

    private struct Refusal: Error {
        var message: String
        var version: String?
    }

    /// The version the digest is, verified and pulled (or already complete in `versions/`).
    private func fetch(_ digest: Digest) throws -> AgentVersion {
        let (manifest, _) = try client.fetchManifest(.digest(digest), in: settings.repository)
        guard let version = manifest.annotations?[AnnotationKey.version], PlainRelativePath.isFileName(version), ReferenceName.isTag(version) else {
            throw Refusal(message: "\(settings.pipeline)@\(digest) names no usable version; it was not published by edgepack", version: nil)
        }
        if let (key, name) = settings.verification {
            do {
                _ = try PipelineVerifier(source: client, key: key, keyName: name).verify(repository: settings.repository.path, reference: digest.string)
            } catch let error as OCIError where error.code != .cancelled && error.code != .network {
                throw Refusal(message: "version \(version) is refused: \(error.message)", version: version)
            }
        }
        if state.completeDigest(version) != digest.string {
            // The running version's folder is never replaced under its engine (nor lost as the one to roll back to).
            if version == state.currentVersion(), state.completeDigest(version) != nil {
                throw Refusal(message: "version \(version) already runs here as another digest; publish a new version instead of reusing its name", version: version)
            }
            _ = try Puller(client: client).pull(repository: settings.repository, reference: .digest(digest), into: state.stagingFolder(version))
            try state.commitPull(version, digest: digest.string)
        }
        return AgentVersion(version: version, digest: digest.string, folder: state.versionFolder(version),
                            pinnedReference: settings.pinnedReference(digest.string))
    }

    private func start(_ version: AgentVersion) throws {
        try runtime.start(version)
        if settings.healthURL == nil, runtime.waitsForHealth { return }
        let url = settings.healthURL ?? runtime.defaultHealthURL(for: version) ?? AgentSettings.engineHealthURL()
        try HealthCheck(url: url, timeout: settings.healthTimeout).wait()
    }

    private func rollBack(from failed: AgentVersion, because error: any Error, status: inout AgentStatus) -> AgentStatus.Outcome {
        let why = "version \(failed.version) failed: \(Self.message(error))"
        guard let previous = state.currentVersion(), previous != failed.version, let previousDigest = state.completeDigest(previous) else {
            return finish(&status, .failed, why, version: failed.version, digest: failed.digest, bad: true)
        }
        let back = AgentVersion(version: previous, digest: previousDigest, folder: state.versionFolder(previous),
                                pinnedReference: settings.pinnedReference(previousDigest))
        do {
            try start(back)
        } catch {
            return finish(&status, .failed, why + "; starting \(previous) again failed too: \(Self.message(error))", version: failed.version, digest: failed.digest, bad: true)
        }
        return finish(&status, .rolledBack, why + "; rolled back to \(previous)", version: failed.version, digest: failed.digest, bad: true)
    }

    private static func message(_ error: any Error) -> String {
        (error as? OCIError)?.message ?? String(describing: error)
    }

    /// Ends an attempt that did not switch: the status says why, a bad digest is remembered, and what was
    /// pulled for it is pruned.
    private func finish(_ status: inout AgentStatus, _ outcome: AgentStatus.Outcome, _ reason: String, version: String?, digest: String, bad: Bool) -> AgentStatus.Outcome {
        if bad, !status.badDigests.contains(digest) { status.badDigests.append(digest) }
        status.lastAttempt = AgentStatus.Attempt(outcome: outcome, reason: AgentStatus.oneLine(reason), at: AgentStatus.timestamp(), version: version, digest: digest)
        save(&status)
        return outcome
    }

    private func record(_ status: inout AgentStatus, applied version: String, digest: String) {
        let now = AgentStatus.timestamp()
        status.version = version
        status.digest = digest
        status.appliedAt = now
        status.history = [version] + status.history.filter { $0 != version }
        status.lastAttempt = AgentStatus.Attempt(outcome: .applied, reason: "version \(version) is running and healthy", at: now, version: version, digest: digest)
        save(&status)
    }

    private func save(_ status: inout AgentStatus) {
        if let onAttempt { status = onAttempt(status) }
        do {
            try state.writeStatus(status)
        } catch {
            FileHandle.standardError.write(Data("edgepack: warning: \(Self.message(error))\n".utf8))
        }
        var keep = Set(status.history.prefix(max(settings.keep, 1)))
        if let running = state.currentVersion() { keep.insert(running) }
        state.prune(keeping: keep)
    }
}
