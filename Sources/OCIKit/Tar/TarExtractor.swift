import CArchive

/// Unpacks a tar into a directory with libarchive's safety checks: no absolute paths, no `..`, no writing
/// through symlinks. Owners and timestamps are not restored; permissions are.
public enum TarExtractor {
    public static func extract(_ tarPath: String, into directory: String) throws {
        guard let reader = archive_read_new() else { throw OCIError(.archive, "libarchive could not allocate a reader") }
        defer { archive_read_free(reader) }
        archive_read_support_format_tar(reader)
        archive_read_support_filter_all(reader)  // charts are .tgz
        guard archive_read_open_filename(reader, tarPath, FileStreamer.chunkSize) == ARCHIVE_OK else {
            throw OCIError(.archive, "cannot open \(tarPath): \(text(reader))")
        }
        guard let writer = archive_write_disk_new() else { throw OCIError(.archive, "libarchive could not allocate a writer") }
        defer { archive_write_free(writer) }
        // Entry names are checked above (not absolute, no ".."), then placed under `directory`, so libarchive sees
        // absolute paths on purpose; it still refuses ".." and writing through symlinks.
        let flags = ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_SYMLINKS
        archive_write_disk_set_options(writer, flags)
        var entry: OpaquePointer?
        while true {
            let status = archive_read_next_header(reader, &entry)
            if status == ARCHIVE_EOF { break }
            guard status >= ARCHIVE_WARN, let entry else { throw OCIError(.archive, "\(tarPath) is not a readable tar: \(text(reader))") }
            let name = String(cString: archive_entry_pathname(entry))
            guard !name.hasPrefix("/"), !name.split(separator: "/").contains("..") else {
                throw OCIError(.unsafePath, "\(tarPath) has an entry outside its folder (\(name)); refusing to unpack it")
            }
            archive_entry_set_pathname(entry, directory + "/" + name)
            if let link = archive_entry_hardlink(entry) {
                archive_entry_set_hardlink(entry, directory + "/" + String(cString: link))
            }
            guard archive_write_header(writer, entry) >= ARCHIVE_WARN else {
                throw OCIError(.unsafePath, "cannot unpack \(name): \(text(writer))")
            }
            var buffer: UnsafeRawPointer?
            var size = 0
            var offset: la_int64_t = 0
            while true {
                let read = archive_read_data_block(reader, &buffer, &size, &offset)
                if read == ARCHIVE_EOF { break }
                guard read >= ARCHIVE_WARN else { throw OCIError(.archive, "cannot read \(name) from \(tarPath): \(text(reader))") }
                guard archive_write_data_block(writer, buffer, size, offset) >= ARCHIVE_WARN else {
                    throw OCIError(.io, "cannot write \(name): \(text(writer))")
                }
            }
            guard archive_write_finish_entry(writer) >= ARCHIVE_WARN else { throw OCIError(.io, "cannot finish \(name): \(text(writer))") }
        }
    }

    private static func text(_ archive: OpaquePointer) -> String {
        archive_error_string(archive).map { String(cString: $0) } ?? "unknown error"
    }
}
