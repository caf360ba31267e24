import Foundation

/// How a directory becomes a tar layer.
public struct TarOptions: Sendable, Hashable {
    public enum SymlinkPolicy: String, Sendable, Hashable {
        /// Stored as links when they point inside the directory; refused otherwise. Never followed.
        case preserveInside
        case refuse
    }

    public var mtime: Int64
    public var symlinks: SymlinkPolicy
    /// The folder every entry is stored under (`models/NAME`), its folders written first; empty: at the top.
    /// With a root, the path may also be one file, stored as `ROOT/FILENAME`.
    public var root: String

    public init(mtime: Int64 = SourceDate.epoch(), symlinks: SymlinkPolicy = .preserveInside, root: String = "") {
        self.mtime = mtime
        self.symlinks = symlinks
        self.root = root
    }
}

/// Writes a directory's content as one deterministic tar: entries sorted by name at each level, paths
/// relative to the directory, fixed metadata (see `TarArchiveWriter`).
public struct DirectoryTarWriter: Sendable {
    public var options: TarOptions

    public init(options: TarOptions) {
        self.options = options
    }

    public func write(directory: String, to sink: any ByteSink) throws {
        try write(DirectoryListing(directory: directory), of: directory, to: sink)
    }

    /// Writes the entries of `listing` (made from `directory`); each file must still have its listed size.
    /// The files are read on a thread of their own, ahead of what `sink` does with the tar (hash it, write it):
    /// for many small files the reads cost as much as the rest.
    func write(_ listing: DirectoryListing, of directory: String, to sink: any ByteSink) throws {
        try ReadAhead.run(into: sink) { [self] readAhead in try writeEntries(listing, of: directory, to: readAhead) }
    }

    /// One read buffer serves every file, and a file is read with exactly as many `read`s as its size needs.
    private func writeEntries(_ listing: DirectoryListing, of directory: String, to sink: any ByteSink) throws {
        let tar = try TarArchiveWriter(to: sink, mtime: options.mtime)
        let buffer = try FileStreamer.Buffer()
        let folders = options.root.split(separator: "/").map(String.init)
        for depth in folders.indices {
            try tar.addDirectory(folders[...depth].joined(separator: "/"))
        }
        let stored = { (name: String) in folders.isEmpty ? name : folders.joined(separator: "/") + "/" + name }
        for entry in listing.entries {
            let path = listing.isSingleFile ? directory : directory + "/" + entry.name
            let status = entry.status
            if status.isDirectory {
                try tar.addDirectory(stored(entry.name))
            } else if status.isRegularFile {
                try tar.addFile(stored(entry.name), size: status.size, executable: status.isExecutable) { sink in
                    try FileStreamer.stream(path: path, into: sink, exactSize: status.size, buffer: buffer)
                }
            } else if status.isSymlink, let target = entry.linkTarget {
                try checkSymlink(entry.name, target: target, path: path, root: directory)
                try tar.addSymlink(stored(entry.name), target: target)
            } else {
                throw OCIError(.unsupported, "\(path) is not a regular file, directory or symlink; remove it from the model directory")
            }
        }
        try tar.finish()
    }

    /// A link is kept only if it stays inside `root` both as written and as resolved through the other links
    /// (`SymlinkContainment`): what `TarExtractor` unpacks, so `pull` takes every layer `export` writes.
    func checkSymlink(_ entryName: String, target: String, path: String, root: String) throws {
        if options.symlinks == .refuse {
            throw OCIError(.unsafePath, "\(path) is a symlink, and symlinks are refused")
        }
        guard Self.staysInside(linkName: entryName, target: target), SymlinkContainment.staysInside(root: root, linkName: entryName) else {
            throw OCIError(.unsafePath, "\(path) is a symlink to '\(target)', outside the model directory; replace it with the file itself")
        }
    }

    /// Whether `target`, read relative to the link's own folder, names something inside the archive root.
    static func staysInside(linkName: String, target: String) -> Bool {
        guard !target.hasPrefix("/"), !target.isEmpty else { return false }
        var depth = linkName.split(separator: "/").count - 1
        for component in target.split(separator: "/", omittingEmptySubsequences: true) {
            switch component {
            case ".": continue
            case "..":
                depth -= 1
                if depth < 0 { return false }
            default: depth += 1
            }
        }
        return true
    }
}

/// Reproducible timestamps: `SOURCE_DATE_EPOCH` when set (reproducible-builds.org), else 0.
public enum SourceDate {
    public static func epoch(environment: [String: String] = ProcessInfo.processInfo.environment) -> Int64 {
        guard let text = environment["SOURCE_DATE_EPOCH"], let value = Int64(text), value >= 0 else { return 0 }
        return value
    }

    public static func isSet(environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        environment["SOURCE_DATE_EPOCH"].flatMap { Int64($0) } != nil
    }

    /// The `org.opencontainers.image.created` value: only when `SOURCE_DATE_EPOCH` pins it, never the wall clock.
    public static func created(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        isSet(environment: environment) ? rfc3339(epoch(environment: environment)) : nil
    }

    /// RFC 3339 in UTC, e.g. `2023-08-28T20:30:48Z`.
    /// (By hand: an `ISO8601DateFormatter` costs ICU set-up on every call, once per model in a build.)
    public static func rfc3339(_ seconds: Int64) -> String {
        var time = time_t(seconds), parts = tm()
        gmtime_r(&time, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let year = String(parts.tm_year + 1900)
        return "\(String(repeating: "0", count: max(0, 4 - year.count)))\(year)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }
}
