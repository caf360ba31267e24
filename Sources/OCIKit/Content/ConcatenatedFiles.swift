#if canImport(Glibc)
import Glibc
#endif

/// Files read as the one byte stream their concatenation is (a bundle split into parts), without joining them on
/// disk: a read at an offset goes to the part that holds it, and a range may span parts. One file is one part.
public struct ConcatenatedFiles: Sendable, Hashable {
    public struct Part: Sendable, Hashable {
        public var path: String
        public var size: Int64
    }

    public let parts: [Part]
    /// Where each part starts in the whole.
    let starts: [Int64]
    public let size: Int64

    public init(_ parts: [Part]) {
        self.parts = parts
        var starts: [Int64] = [], total: Int64 = 0
        for part in parts {
            starts.append(total)
            total += part.size
        }
        self.starts = starts
        self.size = total
    }

    /// A single file, as large as it is now.
    public init(file path: String) throws {
        self.init([Part(path: path, size: try FileStatus(path: path).size)])
    }

    /// The content of `length` bytes at `offset`: a plain file range when one part holds it all.
    public func content(offset: Int64, length: Int64) -> BlobContent {
        let index = part(holding: offset)
        if index < parts.count, offset - starts[index] + length <= parts[index].size {
            return .fileRange(path: parts[index].path, offset: offset - starts[index], length: length)
        }
        return .partsRange(self, offset: offset, length: length)
    }

    /// The bytes from `offset` on, as consecutive ranges of the parts, one file open at a time.
    public func source(offset: Int64, length: Int64) -> any UploadSource {
        var segments: [(path: String, offset: Int64, length: Int64)] = []
        var position = offset, remaining = length
        var index = part(holding: offset)
        while remaining > 0, index < parts.count {
            let within = position - starts[index]
            let count = min(remaining, parts[index].size - within)
            if count > 0 { segments.append((parts[index].path, within, count)) }
            position += count
            remaining -= count
            index += 1
        }
        return SegmentedUploadSource(segments: segments, length: length)
    }

    func part(holding offset: Int64) -> Int {
        var low = 0, high = parts.count
        while low < high {
            let middle = (low + high) / 2
            if starts[middle] + parts[middle].size <= offset { low = middle + 1 } else { high = middle }
        }
        return low
    }
}

/// Ranges of several files read one after another, each through a `FileUploadSource` opened when reached.
final class SegmentedUploadSource: UploadSource {
    private var segments: ArraySlice<(path: String, offset: Int64, length: Int64)>
    private var current: FileUploadSource?
    let length: Int64

    init(segments: [(path: String, offset: Int64, length: Int64)], length: Int64) {
        self.segments = segments[...]
        self.length = length
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            if current == nil {
                guard let next = segments.popFirst() else { return 0 }
                current = try FileUploadSource(path: next.path, offset: next.offset, length: next.length)
            }
            let count = try current!.read(into: buffer)
            if count > 0 { return count }
            current = nil
        }
    }
}

extension ConcatenatedFiles {
    /// Many small reads at scattered offsets (a tar's headers): each part opened once, on first use, and read with
    /// `pread`; every descriptor is closed when the reader goes.
    public final class Reader {
        private let files: ConcatenatedFiles
        private var descriptors: [Int: Int32] = [:]

        public init(_ files: ConcatenatedFiles) {
            self.files = files
        }

        deinit { for descriptor in descriptors.values { close(descriptor) } }

        /// Fills `buffer` from `offset`; fewer bytes only at the end of the last part.
        public func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws -> Int {
            var filled = 0
            while filled < buffer.count, offset + Int64(filled) < files.size {
                let position = offset + Int64(filled)
                let index = files.part(holding: position)
                let descriptor = try self.descriptor(index)
                let within = position - files.starts[index]
                let count = min(buffer.count - filled, Int(files.parts[index].size - within))
                let read = pread(descriptor, buffer.baseAddress! + filled, count, off_t(within))
                guard read >= 0 else { throw OCIError.io("read", files.parts[index].path, errno: errno) }
                if read == 0 { break }
                filled += read
            }
            return filled
        }

        private func descriptor(_ index: Int) throws -> Int32 {
            if let open = descriptors[index] { return open }
            let path = files.parts[index].path
            let descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { throw OCIError.io("open", path, errno: errno) }
            descriptors[index] = descriptor
            return descriptor
        }
    }
}
