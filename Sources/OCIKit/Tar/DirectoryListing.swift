#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A directory tree's entries in the order its tar layer stores them (names sorted bytewise at each level,
/// a folder's content right after it), each with its `lstat` status and, for a symlink, its target.
/// Read with one `fstatat` per entry relative to an open folder, so a 20,000-file model lists in milliseconds.
///
/// Its `fingerprint` hashes every entry's path, type, mode, size, device, inode, mtime, ctime and link target:
/// any write, rename, addition, removal or mode change anywhere in the tree changes it.
struct DirectoryListing: Equatable {
    struct Entry: Equatable {
        /// The path inside the tree (`a/b.bin`), never starting with `/`.
        var name: String
        var status: FileStatus
        var linkTarget: String?
    }

    let entries: [Entry]
    /// The newest ctime in the tree, directories included: how recent its most recent change was.
    let newestChangeNanoseconds: Int64
    /// `directory` named one regular file: its one entry is that file, under its own name.
    let isSingleFile: Bool

    init(directory: String) throws {
        var entries: [Entry] = []
        var info = stat()
        isSingleFile = stat(directory, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
        if isSingleFile {
            entries = [Entry(name: (directory as NSString).lastPathComponent, status: FileStatus(info))]
        } else {
            try Self.list(directory: directory, relative: "", into: &entries)
        }
        self.entries = entries
        newestChangeNanoseconds = entries.map(\.status.changedNanoseconds).max() ?? 0
    }

    /// The whole tree's status as one digest, together with the tar options (which change the layer's bytes).
    func fingerprint(options: TarOptions) -> Digest {
        let hasher = SHA256Hasher()
        var text = "tar \(options.mtime) \(options.symlinks.rawValue)\n"
        if !options.root.isEmpty { text += "root \(options.root.utf8.count):\(options.root)\n" }
        for entry in entries {
            let s = entry.status
            text += "\(s.mode) \(s.size) \(s.device) \(s.inode) \(s.modifiedNanoseconds) \(s.changedNanoseconds) \(entry.name.utf8.count):\(entry.name)"
            if let target = entry.linkTarget { text += " -> \(target.utf8.count):\(target)" }
            text += "\n"
            if text.utf8.count > 1 << 16 {
                hasher.update(Array(text.utf8))
                text = ""
            }
        }
        hasher.update(Array(text.utf8))
        return hasher.finalize()
    }

    private static func list(directory: String, relative: String, into entries: inout [Entry]) throws {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0, let stream = fdopendir(fd) else {
            if fd >= 0 { close(fd) }
            throw OCIError(.io, "cannot read directory \(directory)")
        }
        defer { closedir(stream) }
        var children: [(name: [UInt8], status: FileStatus)] = []
        while let item = readdir(stream) {
            var info = stat()
            let (name, result) = withUnsafeMutablePointer(to: &item.pointee.d_name) { field in
                field.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: field.pointee)) { cName in
                    (Array(UnsafeRawBufferPointer(start: cName, count: strlen(cName))), fstatat(fd, cName, &info, AT_SYMLINK_NOFOLLOW))
                }
            }
            if name == [0x2E] || name == [0x2E, 0x2E] { continue }
            guard result == 0 else {
                throw OCIError.io("read", directory + "/" + String(decoding: name, as: UTF8.self), errno: errno)
            }
            children.append((name, FileStatus(info)))
        }
        children.sort { $0.name.lexicographicallyPrecedes($1.name) }
        for child in children {
            let name = String(decoding: child.name, as: UTF8.self)
            let path = directory + "/" + name
            let entryName = relative + name
            var target: String?
            if child.status.isSymlink {
                target = try readLink(path)
            }
            entries.append(Entry(name: entryName, status: child.status, linkTarget: target))
            if child.status.isDirectory {
                try list(directory: path, relative: entryName + "/", into: &entries)
            }
        }
    }

    static func readLink(_ path: String) throws -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count >= 0 else { throw OCIError.io("read", path, errno: errno) }
        return String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
