/// How many bytes of file content a model path holds, for progress totals.
public enum ContentBytes {
    /// A file's size, or the sum of the regular files' sizes under a directory (one `fstatat` per entry, relative
    /// to its open folder); 0 when the path cannot be read.
    public static func under(_ path: String) -> Int64 {
        guard let status = try? FileStatus(path: path) else { return 0 }
        guard status.isDirectory else { return status.size }
        let entries = (try? DirectoryListing(directory: path).entries) ?? []
        return entries.reduce(0) { total, entry in entry.status.isRegularFile ? total + entry.status.size : total }
    }
}
