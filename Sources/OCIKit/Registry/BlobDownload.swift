import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension RegistryClient {
    /// The one blob download: a `GET` of the blob through `sink` (bounded by the declared size, hashed from the
    /// first byte), going on with a `Range` request from where a dropped connection or a 5xx left off (a registry
    /// that ignores `Range` answers with the whole blob, whose repeated start the sink skips). Retries reset when
    /// a try moves the download on by 64 KiB; a stall is tried once more at most. Ends with the digest checked when the sink saw
    /// the whole blob. Fetching into memory, into a file, into the blob cache or into a stream all come here.
    func download(_ descriptor: Descriptor, from repository: Repository, into sink: DeclaredSizeSink) throws {
        let url = "\(baseURL)/v2/\(repository)/blobs/\(descriptor.digest)"
        let first = sink.position
        defer { counters.downloadedBytesCounter.add(sink.position - first, ordering: .relaxed) }
        var failures = 0
        var furthest = sink.position
        noteResumption(sink)
        while sink.position < descriptor.size {
            let headers = sink.position > 0 ? [("Range", "bytes=\(sink.position)-")] : []
            do {
                let response = try send(HTTPRequest(method: .get, url: url, headers: headers), scopes: [Self.scope(repository, "pull")],
                                        into: sink, retrying: false)
                if RetryPolicy.isRetryable(status: response.status) {
                    throw OCIError(.network, "\(host) failed to send \(descriptor.digest) (HTTP \(response.status))")
                }
                guard response.status == 200 || response.status == 206 else { throw failure(response, "download \(descriptor.digest) from \(repository)") }
                guard sink.position >= descriptor.size else { throw OCIError(.network, "\(host) ended \(descriptor.digest) early") }
            } catch let error as OCIError where error.code == .network {
                failures += 1
                // Only real progress starts the count again: a registry that sends a byte and drops the connection
                // must not keep a download going for as many tries as the blob has bytes.
                if sink.position >= furthest + Self.progressThatResetsRetries { furthest = sink.position; failures = 0 }
                guard failures < options.retry.attempts, !(error.isStall && failures > 1) else { throw error }
                try pause(attempt: failures - 1, retryAfter: nil, sink: nil)
                noteResumption(sink)
            }
        }
        try sink.verify()
    }

    /// How far one try must move a download on for its failures to start counting again.
    static let progressThatResetsRetries: Int64 = 64 << 10

    /// A request that starts past the blob's first byte: a resumed download (counted, with the bytes it spares)
    /// or a stream from an offset (an upload resumed mid-blob).
    private func noteResumption(_ sink: DeclaredSizeSink) {
        guard sink.position > 0 else { return }
        counters.note(.resumedDownload)
        guard sink.position > sink.origin else { return }
        counters.resumesCounter.add(1, ordering: .relaxed)
        counters.resumedBytesCounter.add(sink.position - sink.origin, ordering: .relaxed)
    }

    /// Downloads a blob into a new file at `path`, verified against its digest and size before it appears there.
    /// The bytes go into a partial file first (kept in `options.partialDownloads` between runs, named by digest);
    /// an interrupted transfer, in this run or a later one, continues with a `Range` request from what the
    /// partial file holds, whose bytes are hashed again before anything is added to them.
    public func fetchBlob(_ descriptor: Descriptor, from repository: Repository, toFile path: String) throws {
        try fetchBlob(descriptor, from: repository, toFile: path, growing: nil)
    }

    /// As `fetchBlob(_:from:toFile:)`, telling `growing` where the bytes go as they arrive (readers may follow
    /// the download).
    func fetchBlob(_ descriptor: Descriptor, from repository: Repository, toFile path: String, growing: GrowingFile?) throws {
        let partial = try PartialDownload(descriptor: descriptor, directory: options.partialDownloads, beside: path)
        if let growing { partial.follow(by: growing) }
        var keep = false
        defer { partial.close(keeping: keep) }
        do {
            try download(descriptor, from: repository, into: partial.sink(host: host))
        } catch let error as OCIError where error.code == .network {
            keep = true  // what arrived is kept for the next run
            throw error
        }
        try partial.move(to: path)
    }
}

/// A blob's bytes as they arrive, appended to a file (what the download's sink passes on). Runs of zeros are
/// skipped, not written (holes, as `cp --sparse=auto` makes), so a sparse model pulls into a sparse file; a run
/// stopped after skipping some resumes from the file's size, which does not count them.
final class PartialDownload: ByteSink {
    let path: String
    private let fd: Int32
    private let shared: Bool
    private var hasher = SHA256Hasher()
    private(set) var count: Int64 = 0
    private var moved = false
    private var growing: GrowingFile?
    private let descriptor: Descriptor

    /// A partial file named by digest in `directory` (locked, so two runs never write one file), or, without
    /// a directory or when another run holds it, a private one beside `destination`.
    init(descriptor: Descriptor, directory: String?, beside destination: String) throws {
        self.descriptor = descriptor
        if let directory, (try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)) != nil {
            Self.removeAbandoned(in: directory)
            let candidate = "\(directory)/\(descriptor.digest.algorithm)-\(descriptor.digest.encoded).partial"
            let fd = open(candidate, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            if fd >= 0, flock(fd, LOCK_EX | LOCK_NB) == 0 {
                (self.path, self.fd, self.shared) = (candidate, fd, true)
                try hashExisting(limit: descriptor.size)
                return
            }
            if fd >= 0 { Glibc.close(fd) }
        }
        let privatePath = AtomicFile.temporaryPath(for: destination)
        let fd = open(privatePath, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw OCIError.io("create", privatePath, errno: errno) }
        (self.path, self.fd, self.shared) = (privatePath, fd, false)
    }

    /// Lets `growing`'s readers follow the file from what it holds already.
    func follow(by growing: GrowingFile) {
        self.growing = growing
        growing.begin(path: path)
        growing.advance(by: Int(count))
    }

    /// Partial files nobody resumed for a week are dropped (unless a run holds one), so they cannot pile up.
    static let abandonedAfter: TimeInterval = 7 * 24 * 3600

    static func removeAbandoned(in directory: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names where name.hasSuffix(".partial") {
            let path = directory + "/" + name
            guard let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date,
                  Date().timeIntervalSince(modified) > abandonedAfter
            else { continue }
            let fd = open(path, O_RDWR | O_CLOEXEC)
            guard fd >= 0 else { continue }
            if flock(fd, LOCK_EX | LOCK_NB) == 0 { unlink(path) }
            Glibc.close(fd)
        }
    }

    /// Hashes what an earlier run left (more than the blob's size cannot be right: start over).
    private func hashExisting(limit: Int64) throws {
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw OCIError.io("read", path, errno: errno) }
        guard Int64(status.st_size) <= limit else { return try startOver() }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while count < Int64(status.st_size) {
            let read = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(count)) }
            if read < 0, errno == EINTR { continue }
            guard read > 0 else { break }
            buffer.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0.prefix(read))) }
            count += Int64(read)
        }
        guard ftruncate(fd, off_t(count)) == 0 else { throw OCIError.io("write", path, errno: errno) }
    }

    private func startOver() throws {
        guard ftruncate(fd, 0) == 0 else { throw OCIError.io("write", path, errno: errno) }
        hasher = SHA256Hasher()
        count = 0
    }

    /// The download's sink into this file, going on from the bytes it holds (hashed when it was opened).
    func sink(host: String) -> DeclaredSizeSink {
        DeclaredSizeSink(descriptor, host: host, forwardingTo: self, holding: (count, hasher))
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var written = 0
        if Self.isZero(bytes) {
            // Left as a hole (a sparse model stays sparse), but the file grows by it: a reader following the
            // download (a growing file) reads those zeros at once.
            guard ftruncate(fd, off_t(count) + off_t(bytes.count)) == 0 else { throw OCIError.io("write", path, errno: errno) }
            written = bytes.count
        }
        while written < bytes.count {
            let result = pwrite(fd, bytes.baseAddress! + written, bytes.count - written, off_t(count) + off_t(written))
            if result < 0, errno == EINTR { continue }
            guard result > 0 else { throw OCIError.io("write", path, errno: errno) }
            written += result
        }
        count += Int64(bytes.count)
        growing?.advance(by: bytes.count)
    }

    /// Whether every byte is zero (the first non-zero word ends the scan, so real content costs nothing).
    static func isZero(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let words = bytes.count / 8
        for index in 0..<words where bytes.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self) != 0 { return false }
        return bytes[(words * 8)...].allSatisfy { $0 == 0 }
    }

    /// Puts the verified file at `destination` (a copy when the partial file is on another file system).
    func move(to destination: String) throws {
        // Zeros at the end were skipped, not written: the size comes from the count.
        guard ftruncate(fd, off_t(count)) == 0, fsync(fd) == 0 else { throw OCIError.io("write", path, errno: errno) }
        _ = fchmod(fd, 0o644)  // private (0600) while partial; verified, it gets a file's usual mode
        if rename(path, destination) == 0 {
            moved = true
            return
        }
        guard errno == EXDEV else { throw OCIError.io("rename into place", destination, errno: errno) }
        unlink(destination)
        do {
            try FileManager.default.copyItem(atPath: path, toPath: destination)
        } catch {
            unlink(destination)
            throw OCIError(.io, "cannot copy \(path) to \(destination)")
        }
        unlink(path)
        moved = true
    }

    /// Closes the file; a partial file that is not kept (a private one, or a failure that is not a dropped
    /// connection) is removed.
    func close(keeping: Bool) {
        if !moved, !(keeping && shared) { unlink(path) }
        Glibc.close(fd)
    }
}
