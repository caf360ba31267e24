#if canImport(Glibc)
import Glibc
#endif

extension DirectoryTarWriter {
    /// Every check `write(directory:to:)` makes, from metadata alone (no file content is read): each entry is a
    /// readable regular file, a readable directory, or a symlink the options allow; anything else is an error.
    /// Walked with one `fstatat` and one `faccessat` per entry relative to its open folder (no path lookups
    /// from the root), so a 20,000-file model checks in milliseconds.
    public func check(directory: String) throws {
        try checkChildren(of: directory, relative: "", root: directory)
    }

    private func checkChildren(of directory: String, relative: String, root: String) throws {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0, let stream = fdopendir(fd) else {
            if fd >= 0 { close(fd) }
            throw OCIError(.io, "cannot read directory \(directory)")
        }
        defer { closedir(stream) }
        var folders: [String] = []
        while let item = readdir(stream) {
            var info = stat()
            let (name, failure, readable) = withUnsafeMutablePointer(to: &item.pointee.d_name) { field in
                field.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: field.pointee)) { cName in
                    guard fstatat(fd, cName, &info, AT_SYMLINK_NOFOLLOW) == 0 else { return (String(cString: cName), errno, false) }
                    let wanted = info.st_mode & S_IFMT == S_IFDIR ? R_OK | X_OK : R_OK
                    return (String(cString: cName), Int32(0), faccessat(fd, cName, wanted, 0) == 0)
                }
            }
            if name == "." || name == ".." { continue }
            let path = directory + "/" + name
            guard failure == 0 else { throw OCIError.io("read", path, errno: failure) }
            let status = FileStatus(info)
            if status.isDirectory {
                guard readable else { throw OCIError(.io, "cannot read directory \(path)") }
                folders.append(name)
            } else if status.isRegularFile {
                guard readable else { throw OCIError(.io, "cannot read \(path): permission denied") }
            } else if status.isSymlink {
                try checkSymlink(relative + name, target: try DirectoryListing.readLink(path), path: path, root: root)
            } else {
                throw OCIError(.unsupported, "\(path) is not a regular file, directory or symlink; remove it from the model directory")
            }
        }
        for name in folders {
            try checkChildren(of: directory + "/" + name, relative: relative + name + "/", root: root)
        }
    }
}
