import Foundation
import OCIKit

/// Where a model path may lead, and what a model directory may hold, checked from file metadata alone
/// (nothing is read), so `validate` finds every problem `export` would: a model path resolves inside the
/// definition's folder (following `..` and symlinks) unless paths outside are allowed; a model file is a
/// non-empty regular file; a model directory holds only readable files, folders and symlinks that stay inside it.
struct ModelPathCheck {
    let baseDirectory: String
    let allowOutside: Bool

    /// The model's resolved path and kind, or the one problem that stops it.
    func resolve(_ path: String) -> Result<(path: String, isDirectory: Bool), Problem> {
        if path.hasPrefix("/"), !allowOutside {
            return .failure(Problem("model path '\(path)' is absolute; give it relative to the definition's folder", remedy: .allowModelsOutside))
        }
        let resolved = path.hasPrefix("/") ? path : baseDirectory + "/" + path
        let link = try? FileStatus(path: resolved, followLinks: false)
        guard let status = try? FileStatus(path: resolved) else {
            if link?.isSymlink == true { return .failure(Problem("model path '\(path)' is a symlink to '\(Self.linkTarget(resolved))', which does not exist")) }
            return .failure(Problem("model path '\(path)' does not exist"))
        }
        if !allowOutside, let real = Self.realPath(resolved), let base = Self.realPath(baseDirectory), !Self.isInside(real, base) {
            if link?.isSymlink == true {
                return .failure(Problem("model path '\(path)' is a symlink to '\(Self.linkTarget(resolved))', outside the definition's folder; copy the model in",
                                        remedy: .allowModelsOutside))
            }
            return .failure(Problem("model path '\(path)' leads outside the definition's folder (to \(real)); move the model inside it", remedy: .allowModelsOutside))
        }
        if status.isDirectory, let real = Self.realPath(resolved), real == Self.realPath(baseDirectory) {
            return .failure(Problem("model path '\(path)' is the definition's own folder; name the model's file or folder inside it"))
        }
        guard status.isDirectory || status.isRegularFile else {
            return .failure(Problem("model path '\(path)' is neither a file nor a directory"))
        }
        guard access(resolved, status.isDirectory ? R_OK | X_OK : R_OK) == 0 else {
            return .failure(Problem("model path '\(path)' is not readable"))
        }
        if status.isRegularFile, status.size == 0 {
            return .failure(Problem("model file '\(path)' is empty; point 'path' at the model itself"))
        }
        if status.isDirectory {
            do {
                try DirectoryTarWriter(options: TarOptions()).check(directory: resolved)
            } catch let error as OCIError {
                return .failure(Problem("model directory '\(path)': \(error.message)"))
            } catch {
                return .failure(Problem("model directory '\(path)' cannot be read"))
            }
        }
        return .success((resolved, status.isDirectory))
    }

    struct Problem: Error {
        let message: String
        let remedy: Remedy?
        init(_ message: String, remedy: Remedy? = nil) {
            self.message = message
            self.remedy = remedy
        }
    }

    static func isInside(_ path: String, _ directory: String) -> Bool {
        directory == "/" || path == directory || path.hasPrefix(directory + "/")
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    static func linkTarget(_ path: String) -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "?"
    }
}
