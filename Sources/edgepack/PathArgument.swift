import Foundation

/// Paths given on the command line, resolved once at the start as the kernel would resolve them from the
/// current folder: relative paths, `..` and symlinked folders all work, and what follows sees one absolute
/// path with no `.` or `..` in it (so that later checks for `..` never trip on the user's own path).
enum PathArgument {
    static func absolute(_ path: String) -> String {
        let joined = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        // The longest existing prefix is resolved by realpath (symlinks and `..` as the kernel sees them); the
        // part that does not exist yet is appended with `.` and `..` applied to names only.
        var existing = joined
        var missing: [String] = []
        while realpathString(existing) == nil, existing != "/" {
            missing.insert((existing as NSString).lastPathComponent, at: 0)
            existing = (existing as NSString).deletingLastPathComponent
        }
        var components = (realpathString(existing) ?? existing).split(separator: "/").map(String.init)
        for component in missing {
            switch component {
            case "", ".": continue
            case "..": _ = components.popLast()
            default: components.append(component)
            }
        }
        return "/" + components.joined(separator: "/")
    }

    private static func realpathString(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
