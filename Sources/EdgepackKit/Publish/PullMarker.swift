import Foundation
import OCIKit

/// `DIR/.edgepack-pull`, written into every folder `pull` makes: what was pulled, and the sign that the folder is
/// edgepack's to replace. A folder without it is the user's; `pull` never deletes it (issue 22, item 7).
struct PullMarker: Codable {
    static let file = ".edgepack-pull"

    var reference: String
    var digest: String
    /// When the pull finished (the only part of a pulled folder that differs between two pulls).
    var pulledAt: String
    /// The models pulled when only some were chosen (absent when the pull has them all).
    var models: [String]?

    /// Refuses an existing, non-empty folder an earlier pull did not make: replacing it would delete the user's files.
    static func ensureReplaceable(_ directory: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue,
              !((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).isEmpty, !isPresent(in: directory)
        else { return }  // new, empty, ours, or not a folder (which the destination refuses in its own words)
        throw OCIError(.invalidLayout, "\(directory) holds files edgepack did not write; pull into an empty or new folder, or one an earlier pull made")
    }

    static func isPresent(in directory: String) -> Bool {
        (try? FileStatus(path: directory + "/" + file, followLinks: false))?.isRegularFile == true
    }

    static func write(into directory: String, reference: String, digest: Digest, models: [String]? = nil) throws {
        let marker = PullMarker(reference: reference, digest: digest.string, pulledAt: SourceDate.rfc3339(Int64(Date().timeIntervalSince1970)), models: models)
        try Data(CanonicalJSON.encode(marker) + [0x0A]).write(to: URL(fileURLWithPath: directory + "/" + file))
    }
}
