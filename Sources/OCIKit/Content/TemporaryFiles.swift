import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Every temporary file or directory edgepack makes is named `….edgepack-PID-N`, the PID being the process
/// that owns it, so that a later run can tell leftovers of a killed run (owner gone) from work in progress
/// (owner alive) and remove the former: a `kill -9` costs disk space only until the next run.
public enum TemporaryFiles {
    static let marker = ".edgepack-"

    /// The suffix that marks a name as ours and names its owner.
    static func suffix() -> String {
        "\(marker)\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    }

    /// A new path in `$TMPDIR` for scratch work, e.g. `edgepack-layer-2cf24dba.edgepack-4242-917`.
    public static func scratchPath(_ label: String) -> String {
        NSTemporaryDirectory() + "edgepack-\(label)\(suffix())"
    }

    /// What a message says was done where: our own scratch name (`.out.edgepack-PID-N`) means nothing to the
    /// user, the folder it was made in does (`cannot write in /locked: permission denied`).
    static func described(_ action: String, _ path: String) -> (action: String, path: String) {
        guard owner(of: (path as NSString).lastPathComponent) != nil else { return (action, path) }
        return ("write in", (path as NSString).deletingLastPathComponent)
    }

    /// The PID in a temporary name, or nil when the name is not one of ours.
    static func owner(of name: String) -> pid_t? {
        guard let range = name.range(of: marker, options: .backwards) else { return nil }
        let parts = name[range.upperBound...].split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let pid = pid_t(parts[0]), pid > 0, UInt32(parts[1]) != nil else { return nil }
        return pid
    }

    static func isAlive(_ pid: pid_t) -> Bool {
        pid == getpid() || kill(pid, 0) == 0 || errno == EPERM
    }

    /// Removes, directly inside each directory, the temporary files and folders whose owning process is gone.
    /// Best effort: a directory that cannot be read is skipped. Returns the paths removed.
    @discardableResult
    public static func removeStale(in directories: [String]) -> [String] {
        var removed: [String] = []
        for directory in Set(directories.map { $0.isEmpty ? "." : $0 }) {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { continue }
            for name in names {
                guard let pid = owner(of: name), !isAlive(pid) else { continue }
                let path = (directory as NSString).appendingPathComponent(name)
                if (try? FileManager.default.removeItem(atPath: path)) != nil { removed.append(path) }
            }
        }
        return removed
    }
}
