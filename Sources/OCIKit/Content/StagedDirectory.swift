import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A directory filled beside its destination (`.NAME.edgepack-PID-N`) and swapped into place only when
/// complete: until `commit`, the destination keeps what it had (an earlier result stays whole on failure).
public struct StagedDirectory: Sendable {
    public let destination: String
    /// Where to write meanwhile.
    public let path: String

    /// Refuses a destination that is not a directory, or a non-empty directory `isReplaceable` does not accept
    /// (replacing it would delete files that are not ours).
    public init(for destination: String, isReplaceable: (String) -> Bool) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: destination, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw OCIError(.invalidLayout, "\(destination) exists and is not a directory; choose another output directory")
            }
            let isEmpty = ((try? FileManager.default.contentsOfDirectory(atPath: destination)) ?? []).isEmpty
            guard isEmpty || isReplaceable(destination) else {
                throw OCIError(.invalidLayout, "\(destination) exists and holds other files; choose a new or empty output directory")
            }
        }
        self.destination = destination
        path = AtomicFile.temporaryPath(for: destination)
        let parent = (destination as NSString).deletingLastPathComponent
        do {
            if !parent.isEmpty { try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true) }
        } catch {
            throw OCIError(foundation: error) ?? OCIError(.io, "cannot create \(parent)")
        }
        guard mkdir(path, 0o755) == 0 else { throw OCIError.io("create", path, errno: errno) }
    }

    /// Puts the staged directory in place of the destination (whose old content is then removed).
    public func commit() throws {
        let old = AtomicFile.temporaryPath(for: destination)
        let hadOld = rename(destination, old) == 0
        guard hadOld || errno == ENOENT else { throw OCIError.io("replace", destination, errno: errno) }
        guard rename(path, destination) == 0 else {
            let code = errno
            if hadOld { rename(old, destination) }
            throw OCIError.io("rename into place", destination, errno: code)
        }
        if hadOld { try? FileManager.default.removeItem(atPath: old) }
    }

    public func discard() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
