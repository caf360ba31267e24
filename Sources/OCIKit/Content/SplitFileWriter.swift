import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes one stream as parts of at most `partSize` bytes (`NAME.000`, `.001`, …) plus `NAME.parts.json`
/// listing them, streamed: each part is a temporary file beside its destination, hashed as it is written, so
/// the whole never needs to exist on disk. Parts and list are put in place only when the stream is complete;
/// on any error every temporary part is removed and the destination is left as it was.
public enum SplitFileWriter {
    @discardableResult
    public static func write(to path: String, partSize: Int64, _ body: (any ByteSink) throws -> Void) throws -> SplitBundle {
        precondition(partSize > 0)
        let sink = RollingFileSink(path: path, partSize: partSize)
        do {
            try body(sink)
            try sink.finish()
            let list = sink.list()
            try put(sink.temporaries, as: list, at: path)
            return list
        } catch {
            sink.discard()
            throw error
        }
    }

    /// Renames the parts into place, then writes the list; a part an earlier list at `path` named beyond the new
    /// ones is removed (it was edgepack's, and would otherwise sit among the new parts).
    private static func put(_ temporaries: [String], as list: SplitBundle, at path: String) throws {
        let listPath = path + SplitBundle.suffix
        let earlier = (try? Data(contentsOf: URL(fileURLWithPath: listPath))).flatMap { try? CanonicalJSON.decode(SplitBundle.self, from: Array($0), what: listPath) }
        if FileStatus.exists(listPath), unlink(listPath) != 0 { throw OCIError.io("replace", listPath, errno: errno) }
        let folder = (path as NSString).deletingLastPathComponent
        for (index, temporary) in temporaries.enumerated() {
            let final = SplitBundle.partName(path, index)
            guard rename(temporary, final) == 0 else { throw OCIError.io("rename into place", final, errno: errno) }
        }
        try AtomicFile.write(Data(try CanonicalJSON.encode(list) + [0x0A]), to: listPath)
        for (index, stale) in (earlier?.parts ?? []).enumerated().dropFirst(list.parts.count) where stale.name == SplitBundle.partName(list.bundle, index) {
            unlink(folder.isEmpty ? stale.name : folder + "/" + stale.name)
        }
    }
}

/// A sink that fills `NAME.000` up to the part size, then rolls over to `NAME.001`, and so on (temporary files
/// until `SplitFileWriter` puts them in place), hashing every part and the whole on the way.
final class RollingFileSink: ByteSink {
    private let path: String
    private let partSize: Int64
    private(set) var temporaries: [String] = []
    private var parts: [SplitBundle.Part] = []
    private var current: (fd: Int32, sink: FileDescriptorSink, hasher: SHA256Hasher, written: Int64)?
    private let whole = SHA256Hasher()
    private var total: Int64 = 0

    init(path: String, partSize: Int64) {
        self.path = path
        self.partSize = partSize
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            if current == nil || current!.written == partSize { try startPart() }
            let count = Int(min(Int64(bytes.count - offset), partSize - current!.written))
            let slice = UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + count])
            try current!.sink.write(slice)
            current!.hasher.update(slice)
            whole.update(slice)
            current!.written += Int64(count)
            total += Int64(count)
            offset += count
        }
    }

    /// The next part is created only when a byte is written to it: no empty last part.
    private func startPart() throws {
        try endPart()
        let index = temporaries.count
        guard index < SplitBundle.maximumParts else {
            throw OCIError(.unsupported, "\(path) would need more than \(SplitBundle.maximumParts) parts of \(partSize) bytes; choose a larger part size")
        }
        let final = SplitBundle.partName(path, index)
        let temporary = AtomicFile.temporaryPath(for: final)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw OCIError.io("create", final, errno: errno) }
        temporaries.append(temporary)
        current = (fd, FileDescriptorSink(fd: fd, path: final), SHA256Hasher(), 0)
    }

    private func endPart() throws {
        guard let part = current else { return }
        current = nil
        let name = (SplitBundle.partName(path, parts.count) as NSString).lastPathComponent
        parts.append(.init(name: name, size: part.written, sha256: part.hasher.finalize().encoded))
        let synced = fsync(part.fd) == 0
        let failure = errno
        guard close(part.fd) == 0, synced else { throw OCIError.io("write", SplitBundle.partName(path, parts.count - 1), errno: synced ? errno : failure) }
    }

    func finish() throws {
        if current == nil { try startPart() }  // an empty stream is one empty part
        try endPart()
    }

    func list() -> SplitBundle {
        SplitBundle(bundle: (path as NSString).lastPathComponent, size: total, sha256: whole.finalize().encoded, parts: parts)
    }

    func discard() {
        if let part = current { close(part.fd) }
        current = nil
        for temporary in temporaries { unlink(temporary) }
    }
}
