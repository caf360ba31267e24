import CArchive

/// Reproducible tar output through libarchive: pax format (extended headers only where needed: long names,
/// entries of 8 GiB and more), uid/gid 0, no user or group names, one fixed mtime, streamed to a `ByteSink`.
public final class TarArchiveWriter {
    private let archive: OpaquePointer
    private let output: SinkBox
    private let mtime: Int64
    private var finished = false

    private final class SinkBox {
        let sink: any ByteSink
        var error: (any Error)?
        init(_ sink: any ByteSink) { self.sink = sink }
    }

    public enum Compression: Sendable { case none, gzip }

    public init(to sink: any ByteSink, mtime: Int64, compression: Compression = .none) throws {
        guard let archive = archive_write_new() else { throw OCIError(.archive, "libarchive could not allocate a writer") }
        self.archive = archive
        self.output = SinkBox(sink)
        self.mtime = mtime
        archive_write_set_format_pax_restricted(archive)
        if compression == .gzip {
            archive_write_add_filter_gzip(archive)
            // No timestamp (and no file name) in the gzip header: same input, same bytes.
            archive_write_set_filter_option(archive, "gzip", "timestamp", nil)
        }
        // No internal blocking: data goes straight from our buffers to the sink, without a copy.
        archive_write_set_bytes_per_block(archive, 0)
        let client = Unmanaged.passUnretained(output).toOpaque()
        let status = archive_write_open(archive, client, nil, { _, client, buffer, length in
            let box = Unmanaged<SinkBox>.fromOpaque(client!).takeUnretainedValue()
            do {
                try box.sink.write(UnsafeRawBufferPointer(start: buffer, count: length))
                return la_ssize_t(length)
            } catch {
                box.error = error
                return -1
            }
        }, nil)
        try check(status, "open the tar stream")
    }

    deinit {
        if !finished { archive_write_fail(archive) }
        archive_write_free(archive)
    }

    public func addDirectory(_ name: String) throws {
        try writeHeader(name: name, type: CARCHIVE_AE_IFDIR, permissions: 0o755, size: 0)
    }

    public func addSymlink(_ name: String, target: String) throws {
        try writeHeader(name: name, type: CARCHIVE_AE_IFLNK, permissions: 0o777, size: 0, linkTarget: target)
    }

    /// Adds a file of exactly `size` bytes whose content `body` streams into the given sink.
    public func addFile(_ name: String, size: Int64, executable: Bool = false, _ body: (any ByteSink) throws -> Void) throws {
        try writeHeader(name: name, type: CARCHIVE_AE_IFREG, permissions: executable ? 0o755 : 0o644, size: size)
        let entry = EntrySink(archive: archive, name: name)
        try body(entry)
        guard entry.written == size else {
            throw OCIError(.sizeMismatch, "\(name): wrote \(entry.written) bytes, expected \(size)")
        }
        try check(archive_write_finish_entry(archive), "finish \(name)")
    }

    public func addFile(_ name: String, bytes: [UInt8]) throws {
        try addFile(name, size: Int64(bytes.count)) { sink in
            try bytes.withUnsafeBytes { try sink.write($0) }
        }
    }

    /// Writes the end-of-archive marker; the tar is incomplete until this returns.
    public func finish() throws {
        finished = true
        try check(archive_write_close(archive), "finish the tar stream")
    }

    private func writeHeader(name: String, type: UInt32, permissions: UInt32, size: Int64, linkTarget: String? = nil) throws {
        guard let entry = archive_entry_new() else { throw OCIError(.archive, "libarchive could not allocate an entry") }
        defer { archive_entry_free(entry) }
        archive_entry_set_pathname_utf8(entry, name)
        archive_entry_set_filetype(entry, type)
        archive_entry_set_perm(entry, mode_t(permissions))
        archive_entry_set_size(entry, size)
        archive_entry_set_mtime(entry, time_t(mtime), 0)
        archive_entry_set_uid(entry, 0)
        archive_entry_set_gid(entry, 0)
        if let linkTarget { archive_entry_set_symlink_utf8(entry, linkTarget) }
        try check(archive_write_header(archive, entry), "add \(name)")
    }

    private func check(_ status: Int32, _ action: String) throws {
        guard status < ARCHIVE_WARN else { return }
        if let error = output.error { throw error }
        let detail = archive_error_string(archive).map { String(cString: $0) } ?? "unknown error"
        throw OCIError(.archive, "cannot \(action): \(detail)")
    }

    /// The data of the current entry.
    private final class EntrySink: ByteSink {
        let archive: OpaquePointer
        let name: String
        var written: Int64 = 0
        init(archive: OpaquePointer, name: String) {
            self.archive = archive
            self.name = name
        }
        func write(_ bytes: UnsafeRawBufferPointer) throws {
            var offset = 0
            while offset < bytes.count {
                let count = archive_write_data(archive, bytes.baseAddress! + offset, bytes.count - offset)
                guard count > 0 else {
                    let detail = archive_error_string(archive).map { String(cString: $0) } ?? "write failed"
                    throw OCIError(.archive, "cannot write \(name): \(detail)")
                }
                offset += count
                written += Int64(count)
            }
        }
    }
}
