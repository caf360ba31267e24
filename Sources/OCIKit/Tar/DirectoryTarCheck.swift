import Foundation

extension DirectoryTarWriter {
    /// Every check `write(directory:to:)` makes, from metadata alone (no file content is read): each entry is a
    /// readable regular file, a readable directory, or a symlink the options allow; anything else is an error.
    public func check(directory: String) throws {
        try checkChildren(of: directory, relative: "")
    }

    private func checkChildren(of directory: String, relative: String) throws {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw OCIError(.io, "cannot read directory \(directory)")
        }
        for name in names {
            let path = directory + "/" + name
            let status = try FileStatus(path: path, followLinks: false)
            if status.isDirectory {
                guard access(path, R_OK | X_OK) == 0 else { throw OCIError(.io, "cannot read directory \(path)") }
                try checkChildren(of: path, relative: relative + name + "/")
            } else if status.isRegularFile {
                guard access(path, R_OK) == 0 else { throw OCIError(.io, "cannot read \(path): permission denied") }
            } else if status.isSymlink {
                let target = try FileManager.default.destinationOfSymbolicLink(atPath: path)
                try checkSymlink(relative + name, target: target, path: path)
            } else {
                throw OCIError(.unsupported, "\(path) is not a regular file, directory or symlink; remove it from the model directory")
            }
        }
    }
}
