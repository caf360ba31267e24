import Foundation
import OCIKit

/// `--watch DIR`: offline bundles (full or delta) dropped into a folder at an air-gapped site. Each one, once it
/// has stopped changing, is checked (every blob it carries re-hashed; its signatures with a key), pushed into the
/// site's registry as `push` does and its channel moved there, then moved to `DIR/applied/`; the agent's next
/// poll applies it. One that fails is moved to `DIR/rejected/` with `NAME.reason` (one line).
public struct BundleInbox: Sendable {
    public let folder: String
    /// A bundle whose size or time changed this recently may still be being copied in.
    public var settle: TimeInterval = 2

    public init(folder: String) {
        self.folder = folder
    }

    /// What to do with one bundle: push it (and move the channel); throws to reject it.
    public typealias Intake = (_ bundle: ImageLayoutBundle) throws -> Void

    /// Takes every settled `*.tar` in the folder, oldest first; returns the names taken and rejected.
    @discardableResult
    public func drain(_ intake: Intake) -> (applied: [String], rejected: [String]) {
        var applied: [String] = [], rejected: [String] = []
        for name in settledBundles() {
            let path = folder + "/" + name
            do {
                let bundle = try ImageLayoutBundle(path: path)
                try bundle.verify()
                try intake(bundle)
                try move(name, to: "applied")
                applied.append(name)
            } catch let error as OCIError where error.code == .cancelled {
                break
            } catch {
                let reason = AgentStatus.oneLine((error as? OCIError)?.message ?? String(describing: error))
                try? move(name, to: "rejected")
                try? AtomicFile.write(Data((reason + "\n").utf8), to: folder + "/rejected/" + name + ".reason")
                rejected.append(name)
            }
        }
        return (applied, rejected)
    }

    func settledBundles() -> [String] {
        let now = Date()
        let entries = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).compactMap { name -> (String, Date)? in
            guard name.hasSuffix(".tar"), !name.hasPrefix("."),
                  let attributes = try? FileManager.default.attributesOfItem(atPath: folder + "/" + name),
                  attributes[.type] as? FileAttributeType == .typeRegular, let modified = attributes[.modificationDate] as? Date,
                  now.timeIntervalSince(modified) >= settle else { return nil }
            return (name, modified)
        }
        return entries.sorted { $0.1 < $1.1 }.map(\.0)
    }

    private func move(_ name: String, to subfolder: String) throws {
        let target = folder + "/" + subfolder
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        guard rename(folder + "/" + name, target + "/" + name) == 0 else { throw OCIError.agentIO("move", folder + "/" + name, errno: errno) }
    }
}
