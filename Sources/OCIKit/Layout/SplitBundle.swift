import Foundation

/// A bundle written in parts (`bundle.tar.000`, `.001`, …, for media with a size limit) whose concatenation is the
/// bundle, described by `bundle.tar.parts.json` beside them: every part's name, size and sha256, and the whole's.
/// Opening one checks every part against that list before any byte of it is used.
public struct SplitBundle: Codable, Sendable, Equatable {
    public struct Part: Codable, Sendable, Equatable {
        public var name: String
        public var size: Int64
        public var sha256: String
    }

    public static let formatName = "edgepack-split-bundle"
    public static let suffix = ".parts.json"
    /// Parts are numbered with three digits.
    public static let maximumParts = 1000

    public var format = formatName
    public var version = 1
    /// The name of the whole (`bundle.tar`), which the parts' names extend.
    public var bundle: String
    public var size: Int64
    public var sha256: String
    public var parts: [Part]

    public static func partName(_ bundle: String, _ index: Int) -> String {
        bundle + "." + String(repeating: "0", count: max(0, 3 - String(index).count)) + String(index)
    }

    /// The parts list `path` names, if it names a split bundle: the list itself, its first (or any) part, or the
    /// bundle's own name when no such file exists but its parts do. Nil for a plain bundle.
    public static func listPath(for path: String) throws -> String? {
        if path.hasSuffix(suffix) { return path }
        let name = (path as NSString).lastPathComponent
        let number = (name as NSString).pathExtension
        let base = String(path.dropLast(4))
        if number.utf8.count == 3, number.utf8.allSatisfy({ (0x30...0x39).contains($0) }), FileStatus.exists(path),
           base.hasSuffix(".tar") || FileStatus.exists(base + suffix) {
            guard FileStatus.exists(base + suffix) else {
                throw OCIError(.notFound, "\(path) looks like one part of a split bundle, but \((base as NSString).lastPathComponent)\(suffix), which lists the parts, is not beside it; copy it with the parts")
            }
            return base + suffix
        }
        if !FileStatus.exists(path) {
            if FileStatus.exists(path + suffix) { return path + suffix }
            if FileStatus.exists(partName(path, 0)) {
                throw OCIError(.notFound, "\(partName(path, 0)) is one part of a split bundle, but \(name)\(suffix), which lists the parts, is not beside it; copy it with the parts")
            }
        }
        return nil
    }

    /// Reads the list at `listPath` and checks every part it names: present, of its size, of its sha256 (and the
    /// whole of its sha256), all before anything is read as a bundle. A missing or damaged part is named.
    public static func open(listPath: String) throws -> (bundle: String, files: ConcatenatedFiles) {
        let listName = (listPath as NSString).lastPathComponent
        let list = try read(listPath: listPath)
        let folder = (listPath as NSString).deletingLastPathComponent
        let bundle = folder.isEmpty ? list.bundle : folder + "/" + list.bundle
        var files: [ConcatenatedFiles.Part] = []
        for part in list.parts {
            let path = folder.isEmpty ? part.name : folder + "/" + part.name
            guard let found = try? FileStatus(path: path), found.isRegularFile else {
                throw OCIError(.notFound, "\(part.name) is missing: \(listName) lists \(list.parts.count) parts of \(list.bundle); copy every part beside it")
            }
            guard found.size == part.size else {
                throw OCIError(.sizeMismatch, "\(part.name) has \(found.size) bytes, \(listName) says \(part.size): the part is damaged or incomplete; copy it again")
            }
            files.append(.init(path: path, size: part.size))
        }
        let whole = SHA256Hasher()
        for (part, file) in zip(list.parts, files) {
            let hasher = HashingSink()
            try FileStreamer.stream(path: file.path, into: TeeHashSink(hasher, whole), expectedSize: part.size)
            guard hasher.finalize().encoded == part.sha256 else {
                throw OCIError(.digestMismatch, "\(part.name) is corrupt: its sha256 is not the one \(listName) lists; copy the part again")
            }
        }
        guard whole.finalize().encoded == list.sha256 else {
            throw OCIError(.digestMismatch, "\(list.bundle): the parts are each intact but together do not hash to the sha256 \(listName) lists; copy the bundle again")
        }
        return (bundle, ConcatenatedFiles(files))
    }

    /// The list at `listPath`, its shape checked (not yet its parts).
    public static func read(listPath: String) throws -> SplitBundle {
        let status = try FileStatus(path: listPath)
        guard status.size <= 1 << 20 else { throw OCIError(.invalidLayout, "\(listPath) is \(status.size) bytes; a parts list is far smaller, refusing it") }
        let list = try CanonicalJSON.decode(SplitBundle.self, from: Array(try Data(contentsOf: URL(fileURLWithPath: listPath))), what: listPath)
        let listName = (listPath as NSString).lastPathComponent
        guard listName == list.bundle + suffix else {
            throw OCIError(.invalidLayout, "\(listName) lists the parts of '\(MessageText.escaped(list.bundle))', not of \(listName.dropLast(suffix.count)); refusing it")
        }
        try list.checkShape(listName: listName)
        return list
    }

    /// Parts named after the bundle in order, beside the list (no path of their own), sizes adding up.
    private func checkShape(listName: String) throws {
        guard format == Self.formatName, version == 1 else {
            throw OCIError(.unsupported, "\(listName) is not an edgepack parts list of version 1 (format \(MessageText.escaped(format)), version \(version))")
        }
        guard PlainRelativePath.isFileName(bundle), !parts.isEmpty, parts.count <= Self.maximumParts else {
            throw OCIError(.invalidLayout, "\(listName) names no valid bundle or parts; refusing it")
        }
        guard parts.allSatisfy({ $0.size >= 0 }) else { throw OCIError(.invalidLayout, "\(listName) lists a part of negative size; refusing it") }
        for (index, part) in parts.enumerated() where part.name != Self.partName(bundle, index) {
            throw OCIError(.unsafePath, "\(listName): part \(index) is named '\(MessageText.escaped(part.name))', not \(Self.partName(bundle, index)); refusing it")
        }
        guard parts.reduce(Int64(0), { $0 + $1.size }) == size else {
            throw OCIError(.invalidLayout, "\(listName): the parts' sizes do not add up to the bundle's \(size) bytes; refusing it")
        }
    }
}

/// Hashes what passes through into two hashers: a part's own, and the whole bundle's.
final class TeeHashSink: ByteSink {
    private let part: HashingSink
    private let whole: SHA256Hasher
    init(_ part: HashingSink, _ whole: SHA256Hasher) {
        self.part = part
        self.whole = whole
    }
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        try part.write(bytes)
        whole.update(bytes)
    }
}
