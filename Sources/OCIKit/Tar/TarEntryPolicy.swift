#if canImport(Glibc)
import Glibc
#endif

/// What a tar entry may become on disk, decided from its header alone, before any of it is written: a regular
/// file, a folder, a symlink whose target (read from the link's own folder) stays inside the unpacked folder, or
/// a hard link to a regular file already unpacked there. Every other type is refused by name.
enum TarEntryPolicy {
    enum Kind: Equatable {
        /// The folder itself (`./`): already there, nothing to write.
        case root
        case file(executable: Bool)
        case directory
        case symlink(target: String)
        case hardlink(target: String)
    }

    /// File types as libarchive gives them (its `AE_IF*` are the POSIX `S_IF*` values).
    private static let typeNames: [UInt32: String] = [
        S_IFBLK: "a block device", S_IFCHR: "a character device", S_IFIFO: "a FIFO", S_IFSOCK: "a socket",
    ]

    /// The entry's place inside the folder (no leading `./`, no trailing `/`), or the problem that refuses it.
    static func relativeName(_ raw: String) -> Result<String, Problem> {
        guard !raw.hasPrefix("/") else { return .failure(Problem("an absolute path")) }
        let parts = raw.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
        guard !parts.contains("..") else { return .failure(Problem("a path outside the folder")) }
        return .success(parts.joined(separator: "/"))
    }

    /// What to make of an entry named `name` (relative, from `relativeName`) in a folder being unpacked at `root`.
    static func kind(name: String, fileType: UInt32, permissions: UInt32, symlink: String?, hardlink: String?,
                     root: String) -> Result<Kind, Problem> {
        if name.isEmpty { return fileType == S_IFDIR ? .success(.root) : .failure(Problem("an entry without a name")) }
        if let hardlink {
            guard case .success(let target) = relativeName(hardlink), !target.isEmpty, isUnpackedFile(target, in: root) else {
                return .failure(Problem("a hard link to '\(hardlink)', which is not a file unpacked before it in the folder"))
            }
            return .success(.hardlink(target: target))
        }
        switch fileType {
        case S_IFREG:
            return .success(.file(executable: permissions & 0o111 != 0))
        case S_IFDIR:
            return .success(.directory)
        case S_IFLNK:
            guard let symlink, DirectoryTarWriter.staysInside(linkName: name, target: symlink) else {
                return .failure(Problem("a symlink to '\(symlink ?? "")', outside the folder"))
            }
            return .success(.symlink(target: symlink))
        default:
            return .failure(Problem(typeNames[fileType] ?? "an entry of unknown type \(String(fileType, radix: 8))"))
        }
    }

    /// Whether `relative` names a regular file under `root` reached through real folders only (no symlink).
    static func isUnpackedFile(_ relative: String, in root: String) -> Bool {
        var path = root
        let parts = relative.split(separator: "/")
        for (index, part) in parts.enumerated() {
            path += "/" + part
            guard let status = try? FileStatus(path: path, followLinks: false) else { return false }
            guard index == parts.count - 1 ? status.isRegularFile : status.isDirectory else { return false }
        }
        return true
    }

    struct Problem: Error, Equatable {
        /// What the entry is, e.g. "a block device".
        let what: String
        init(_ what: String) { self.what = what }
    }
}
