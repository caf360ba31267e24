import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Free space, and the filesystem a path lives on, for messages a full disk can be acted on from: which
/// filesystem, how much is free, how much was needed.
public enum DiskSpace {
    /// Fails before any byte is written when the filesystem holding `path` (or its nearest existing folder)
    /// has less than `bytes` free.
    public static func ensure(_ bytes: Int64, for path: String, what: String) throws {
        let existing = nearestExisting(path)
        guard let free = freeBytes(existing), free < bytes else { return }
        throw OCIError(.io, "not enough space for \(what): it needs \(format(bytes)), and the filesystem at \(mountPoint(existing)) has \(format(free)) free; free some space or write elsewhere")
    }

    /// " (the filesystem at /mnt has 12 MiB free)", for a write that failed with ENOSPC or EDQUOT.
    static func fullDiskNote(_ path: String) -> String {
        let existing = nearestExisting(path)
        let free = freeBytes(existing).map(format) ?? "?"
        return " (the filesystem at \(mountPoint(existing)) has \(free) free)"
    }

    static func freeBytes(_ path: String) -> Int64? {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return nil }
        return Int64(info.f_bavail) * Int64(info.f_frsize)
    }

    /// The folder where the filesystem holding `path` is mounted: the highest ancestor on the same device.
    static func mountPoint(_ path: String) -> String {
        var current = realPath(path) ?? path
        guard let device = try? FileStatus(path: current).device else { return current }
        while current != "/" {
            let parent = (current as NSString).deletingLastPathComponent
            guard let status = try? FileStatus(path: parent.isEmpty ? "/" : parent), status.device == device else { break }
            current = parent.isEmpty ? "/" : parent
        }
        return current
    }

    static func nearestExisting(_ path: String) -> String {
        var current = path.isEmpty ? "." : path
        while !FileStatus.exists(current) {
            let parent = (current as NSString).deletingLastPathComponent
            if parent == current || parent.isEmpty { return "." }
            current = parent
        }
        return current
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    static func format(_ bytes: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        var value = Double(bytes), unit = 0
        while value >= 1024, unit < units.count - 1 { value /= 1024; unit += 1 }
        return unit == 0 ? "\(bytes) B" : "\(String(format: "%.1f", value)) \(units[unit])"
    }
}
