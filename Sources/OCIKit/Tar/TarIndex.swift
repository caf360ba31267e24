#if canImport(Glibc)
import Glibc
#endif

/// Where each regular file's bytes lie inside an uncompressed tar, read from the headers alone (ustar, pax
/// and GNU long names), so a blob in an offline bundle can be streamed straight from the bundle.
/// libarchive streams entries but does not report data offsets, hence this small reader.
public struct TarIndex: Sendable {
    public struct Entry: Sendable, Equatable {
        public var offset: Int64
        public var size: Int64
    }

    /// One header of the archive, whatever its type, in archive order (for checking what a bundle holds).
    public struct Member: Sendable, Equatable {
        public var name: String
        /// The ustar type flag: `0` (or NUL) a regular file, `5` a directory, `1`/`2` links, …
        public var type: UInt8
        public var isRegularFile: Bool { type == UInt8(ascii: "0") || type == 0 }
        public var isDirectory: Bool { type == UInt8(ascii: "5") }
    }

    public private(set) var entries: [String: Entry] = [:]
    public private(set) var members: [Member] = []
    /// Symbolic and hard links: entry name → target as written (`docker save` links repeated layers).
    public private(set) var links: [String: String] = [:]

    public init(path: String) throws {
        try self.init(files: try ConcatenatedFiles(file: path), name: path)
    }

    /// The tar that `files` are the parts of; `path` names it in messages.
    public init(files: ConcatenatedFiles, name path: String) throws {
        let fileSize = files.size
        var position: Int64 = 0
        var paxPath: String?, paxSize: Int64?, paxLink: String?, longName: String?, longLink: String?
        var header = [UInt8](repeating: 0, count: 512)
        let files = ConcatenatedFiles.Reader(files)
        while true {
            guard try Self.read(files, &header, at: position, path: path) else { break }
            if header.allSatisfy({ $0 == 0 }) { break }
            guard Self.checksumMatches(header) else {
                throw OCIError(.invalidLayout, "\(path) is not a tar (bad header checksum at byte \(position)); bundles must be uncompressed")
            }
            let type = header[156]
            let size = paxSize ?? Self.number(header[124..<136])
            let dataStart = position + 512
            guard size >= 0, size <= fileSize - dataStart else {
                throw OCIError(.invalidLayout, "\(path) is truncated or corrupt: an entry at byte \(position) claims \(size) bytes")
            }
            switch type {
            case UInt8(ascii: "x"), UInt8(ascii: "L"):
                guard size <= Self.maximumMetadataSize else {
                    throw OCIError(.invalidLayout, "\(path) has a \(size)-byte long-name or pax header at byte \(position); refusing it")
                }
                var data = [UInt8](repeating: 0, count: Int(size))
                _ = try Self.read(files, &data, at: dataStart, path: path)
                if type == UInt8(ascii: "L") {
                    longName = String(decoding: data.prefix { $0 != 0 }, as: UTF8.self)
                } else {
                    (paxPath, paxSize, paxLink) = Self.pax(data)
                }
            case UInt8(ascii: "K"):
                var data = [UInt8](repeating: 0, count: Int(size))
                _ = try Self.read(files, &data, at: dataStart, path: path)
                longLink = String(decoding: data.prefix { $0 != 0 }, as: UTF8.self)
            case UInt8(ascii: "g"):
                break
            default:
                var name = paxPath ?? longName ?? Self.string(header[0..<100])
                let prefix = Self.string(header[345..<500])
                if paxPath == nil, longName == nil, !prefix.isEmpty { name = prefix + "/" + name }
                if name.hasPrefix("./") { name.removeFirst(2) }
                members.append(Member(name: name, type: type))
                if type == UInt8(ascii: "0") || type == 0 {
                    entries[name] = Entry(offset: dataStart, size: size)
                } else if type == UInt8(ascii: "1") || type == UInt8(ascii: "2") {
                    var target = paxLink ?? longLink ?? Self.string(header[157..<257])
                    if type == UInt8(ascii: "1"), target.hasPrefix("./") { target.removeFirst(2) }
                    links[name] = type == UInt8(ascii: "1") ? "/" + target : target
                }
                paxPath = nil; paxSize = nil; paxLink = nil; longName = nil; longLink = nil
            }
            position = dataStart + (size + 511) / 512 * 512
        }
    }

    /// Long names and pax records are small; a huge one is a broken or hostile archive.
    static let maximumMetadataSize: Int64 = 1 << 20
    /// The regular file an entry name leads to, following links (a hard link's target is named from the
    /// archive root, written here with a leading "/"; a symbolic one relative to its directory); nil if none,
    /// or if a link leads outside the archive.
    public func file(_ name: String) -> Entry? {
        var name = name.hasPrefix("./") ? String(name.dropFirst(2)) : name
        for _ in 0..<8 {
            if let entry = entries[name] { return entry }
            guard let target = links[name] else { return nil }
            let base = target.hasPrefix("/") ? [] : name.split(separator: "/").dropLast().map(String.init)
            var parts: [String] = base
            for component in target.split(separator: "/") where component != "." {
                if component == ".." {
                    guard !parts.isEmpty else { return nil }
                    parts.removeLast()
                } else {
                    parts.append(String(component))
                }
            }
            name = parts.joined(separator: "/")
        }
        return nil
    }

    private static func read(_ files: ConcatenatedFiles.Reader, _ buffer: inout [UInt8], at offset: Int64, path: String) throws -> Bool {
        let wanted = buffer.count
        let count = try buffer.withUnsafeMutableBytes { try files.read(into: $0, at: offset) }
        if count == 0 { return false }
        guard count == wanted else { throw OCIError(.invalidLayout, "\(path) is truncated at byte \(offset)") }
        return true
    }

    static func checksumMatches(_ header: [UInt8]) -> Bool {
        let stored = number(header[148..<156])
        let sum = header.enumerated().reduce(Int64(0)) { $0 + Int64((148..<156).contains($1.offset) ? 0x20 : $1.element) }
        return stored == sum
    }

    /// Octal, or base-256 when the high bit is set (sizes of 8 GiB and more in GNU tars).
    static func number(_ field: ArraySlice<UInt8>) -> Int64 {
        if let first = field.first, first & 0x80 != 0 {
            return field.dropFirst().reduce(Int64(first & 0x7f)) { $0 << 8 | Int64($1) }
        }
        let digits = field.prefix { $0 != 0 && $0 != 0x20 }.drop { $0 == 0x20 }
        return Int64(String(decoding: digits, as: UTF8.self), radix: 8) ?? 0
    }

    static func string(_ field: ArraySlice<UInt8>) -> String {
        String(decoding: field.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// `path`, `size` and `linkpath` from pax records ("LEN key=value\n").
    static func pax(_ data: [UInt8]) -> (String?, Int64?, String?) {
        var path: String?, size: Int64?, link: String?
        for record in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            guard let space = record.firstIndex(of: " "), let equals = record.firstIndex(of: "=") else { continue }
            let key = record[record.index(after: space)..<equals]
            let value = String(record[record.index(after: equals)...])
            if key == "path" { path = value }
            if key == "size" { size = Int64(value) }
            if key == "linkpath" { link = value }
        }
        return (path, size, link)
    }
}
