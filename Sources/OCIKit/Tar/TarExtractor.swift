import CArchive

/// The most a tar may unpack to, counted as 512 bytes per entry plus each entry's data (what the entries take in
/// an uncompressed tar, so a plain tar never exceeds its own size), and what sets it, for the message.
public struct UnpackLimit: Sendable, Hashable {
    public var bytes: Int64
    /// Says where the limit comes from, e.g. "the layer's own size (an uncompressed tar never unpacks to more)".
    public var reason: String
    /// Set when the caller chose the limit (`.unpackLimitChosen`): going past it is then something it can change.
    public var obstacle: OCIError.Obstacle?

    public init(bytes: Int64, reason: String, obstacle: OCIError.Obstacle? = nil) {
        self.bytes = bytes
        self.reason = reason
        self.obstacle = obstacle
    }
}

/// Unpacks a tar (plain or compressed) into a directory, writing plain files and folders only: regular files
/// (0644, or 0755 when the entry had an execute bit), folders (0755), symlinks that stay inside the directory and
/// hard links to a file unpacked before them (`TarEntryPolicy`). Owners, times, ACLs, extended attributes and
/// setuid, setgid and sticky bits are never restored. Any other entry (a device, FIFO or socket, a link leaving
/// the directory, an absolute or `..` name) is refused by name before any of it is written, as is a tar that
/// unpacks to more than its limit; the caller unpacks into a folder of its own and discards it on error.
public enum TarExtractor {
    /// `label` names the tar in messages (its path by default).
    public static func extract(_ tarPath: String, into directory: String, label: String? = nil, limit: UnpackLimit? = nil) throws {
        let label = MessageText.escaped(label ?? tarPath)
        guard let reader = archive_read_new() else { throw OCIError(.archive, "libarchive could not allocate a reader") }
        defer { archive_read_free(reader) }
        archive_read_support_format_tar(reader)
        archive_read_support_filter_all(reader)  // charts are .tgz
        guard archive_read_open_filename(reader, tarPath, FileStreamer.chunkSize) == ARCHIVE_OK else {
            throw OCIError(.archive, "cannot open \(tarPath): \(text(reader))")
        }
        guard let writer = archive_write_disk_new() else { throw OCIError(.archive, "libarchive could not allocate a writer") }
        defer { archive_write_free(writer) }
        // Names are checked first (not absolute, no ".."), then placed under `directory`, so libarchive sees
        // absolute paths on purpose; it still refuses ".." and writing through symlinks. PERM sets exactly the
        // modes given below (no umask); without OWNER, TIME, ACL, XATTR or FFLAGS nothing else is restored.
        archive_write_disk_set_options(writer, ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_SYMLINKS)
        var unpacked: Int64 = 0
        var symlinks: [String] = []
        var entry: OpaquePointer?
        while true {
            let status = archive_read_next_header(reader, &entry)
            if status == ARCHIVE_EOF { break }
            guard status >= ARCHIVE_WARN, let entry else { throw OCIError(.archive, "\(tarPath) is not a readable tar: \(text(reader))") }
            let raw = archive_entry_pathname(entry).map { String(cString: $0) } ?? ""
            let checked = TarEntryPolicy.relativeName(raw).flatMap { name in
                TarEntryPolicy.kind(name: name, fileType: UInt32(archive_entry_filetype(entry)), permissions: UInt32(archive_entry_perm(entry)),
                                    symlink: archive_entry_symlink(entry).map { String(cString: $0) },
                                    hardlink: archive_entry_hardlink(entry).map { String(cString: $0) }, root: directory).map { (name, $0) }
            }
            let (name, kind): (String, TarEntryPolicy.Kind)
            switch checked {
            case .success(let admitted): (name, kind) = admitted
            case .failure(let problem):
                throw OCIError(.unsafePath, "\(label) holds '\(MessageText.escaped(raw))', \(MessageText.escaped(problem.what)); refusing it (only files, folders and links inside the folder are unpacked)")
            }
            let size = max(0, archive_entry_size(entry))
            if let limit {
                unpacked = unpacked.addingReportingOverflow(512).partialValue.addingReportingOverflow(size).partialValue
                guard unpacked >= 0, unpacked <= limit.bytes else {
                    throw OCIError(.sizeMismatch, "\(label) unpacks to more than \(DiskSpace.format(limit.bytes)), \(limit.reason); refusing it",
                                   obstacle: limit.obstacle)
                }
            }
            archive_entry_set_pathname(entry, directory + "/" + name)
            switch kind {
            case .root: continue
            case .file(let executable): archive_entry_set_perm(entry, executable ? 0o755 : 0o644)
            case .directory: archive_entry_set_perm(entry, 0o755)
            case .symlink: symlinks.append(name)
            case .hardlink(let target):
                archive_entry_set_hardlink(entry, directory + "/" + target)
                // Without data libarchive only links: a pax or cpio hard link may carry data and a mode, which
                // would be written through to the linked file.
                archive_entry_set_size(entry, 0)
            }
            guard archive_write_header(writer, entry) >= ARCHIVE_WARN else {
                throw OCIError(.unsafePath, "cannot unpack \(MessageText.escaped(name)) from \(label): \(text(writer))")
            }
            if case .hardlink = kind {
                guard archive_write_finish_entry(writer) >= ARCHIVE_WARN else { throw OCIError(.io, "cannot finish \(MessageText.escaped(name)) from \(label): \(text(writer))") }
                continue
            }
            try copyData(of: name, size: size, from: reader, to: writer, label: label)
        }
        guard archive_write_close(writer) >= ARCHIVE_WARN else { throw OCIError(.io, "cannot finish unpacking \(label): \(text(writer))") }
        for link in symlinks where !SymlinkContainment.staysInside(root: directory, linkName: link) {
            throw OCIError(.unsafePath, "\(label) holds '\(MessageText.escaped(link))', a symlink that leads outside the folder through other links; refusing it (only files, folders and links inside the folder are unpacked)")
        }
    }

    /// Copies an entry's data, never past the size its header declared (the size the limit counted).
    private static func copyData(of name: String, size: Int64, from reader: OpaquePointer, to writer: OpaquePointer, label: String) throws {
        var buffer: UnsafeRawPointer?
        var count = 0
        var offset: la_int64_t = 0
        while true {
            let read = archive_read_data_block(reader, &buffer, &count, &offset)
            if read == ARCHIVE_EOF { break }
            guard read >= ARCHIVE_WARN else { throw OCIError(.archive, "cannot read \(MessageText.escaped(name)) from \(label): \(text(reader))") }
            guard offset >= 0, offset <= size, Int64(count) <= size - offset else {
                throw OCIError(.archive, "\(label): \(MessageText.escaped(name)) holds more data than its header says; refusing it")
            }
            guard archive_write_data_block(writer, buffer, count, offset) >= ARCHIVE_WARN else {
                throw OCIError(.io, "cannot write \(MessageText.escaped(name)) from \(label): \(text(writer))")
            }
        }
        guard archive_write_finish_entry(writer) >= ARCHIVE_WARN else {
            throw OCIError(.io, "cannot finish \(MessageText.escaped(name)) from \(label): \(text(writer))")
        }
    }

    private static func text(_ archive: OpaquePointer) -> String {
        archive_error_string(archive).map { MessageText.escaped(String(cString: $0)) } ?? "unknown error"
    }
}
