import Foundation

/// A tar written header by header, for tests that need entries no honest tool would make (devices, FIFOs,
/// setuid files, links leaving the folder, names with `..`): ustar blocks, each field as the format lays it out.
public struct CraftedTar: Sendable {
    public struct Entry: Sendable {
        public var name: String
        /// The ustar type flag: "0" file, "1" hard link, "2" symlink, "3" character device, "4" block device,
        /// "5" directory, "6" FIFO; anything else is passed through.
        public var type: Character
        public var mode: Int
        public var link: String
        public var data: [UInt8]

        public init(_ name: String, type: Character = "0", mode: Int = 0o644, link: String = "", data: [UInt8] = []) {
            self.name = name
            self.type = type
            self.mode = mode
            self.link = link
            self.data = data
        }

        public static func file(_ name: String, _ text: String = "data", mode: Int = 0o644) -> Entry {
            Entry(name, mode: mode, data: Array(text.utf8))
        }

        public static func directory(_ name: String, mode: Int = 0o755) -> Entry { Entry(name, type: "5", mode: mode) }
        public static func symlink(_ name: String, to target: String) -> Entry { Entry(name, type: "2", mode: 0o777, link: target) }
        public static func hardlink(_ name: String, to target: String) -> Entry { Entry(name, type: "1", link: target) }
    }

    public var entries: [Entry]

    public init(_ entries: [Entry]) {
        self.entries = entries
    }

    public var bytes: [UInt8] {
        var out: [UInt8] = []
        for entry in entries {
            out += header(entry)
            out += entry.data + [UInt8](repeating: 0, count: (512 - entry.data.count % 512) % 512)
        }
        return out + [UInt8](repeating: 0, count: 1024)
    }

    private func header(_ entry: Entry) -> [UInt8] {
        var block = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, at offset: Int, width: Int) {
            for (index, byte) in text.utf8.prefix(width).enumerated() { block[offset + index] = byte }
        }
        func octal(_ value: Int, at offset: Int, width: Int) {
            put(String(repeating: "0", count: max(0, width - 1 - String(value, radix: 8).count)) + String(value, radix: 8), at: offset, width: width - 1)
        }
        put(entry.name, at: 0, width: 100)
        octal(entry.mode, at: 100, width: 8)
        octal(0, at: 108, width: 8)
        octal(0, at: 116, width: 8)
        octal(entry.data.count, at: 124, width: 12)
        octal(0, at: 136, width: 12)
        put(String(entry.type), at: 156, width: 1)
        put(entry.link, at: 157, width: 100)
        put("ustar\u{0}00", at: 257, width: 8)
        put(String(repeating: " ", count: 8), at: 148, width: 8)
        let sum = block.reduce(0) { $0 + Int($1) }
        put(String(format: "%06o", sum) + "\u{0} ", at: 148, width: 8)
        return block
    }

    /// The tar compressed with the system's `gzip -9`.
    public func gzipped() throws -> [UInt8] {
        try Self.gzip(bytes)
    }

    public static func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
        let dir = try TemporaryDirectory("crafted-gzip")
        let path = try dir.write("layer.tar", Data(bytes))
        let result = try run("gzip", ["-9", "-n", path])
        guard result.succeeded else { throw TestFailure("gzip: \(result.stderr)") }
        return Array(try Data(contentsOf: URL(fileURLWithPath: path + ".gz")))
    }
}
