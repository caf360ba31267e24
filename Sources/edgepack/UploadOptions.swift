import ArgumentParser

/// How blobs are uploaded: only the commands that upload (publish, push) take these.
struct UploadOptions: ParsableArguments {
    @Option(help: "How many blobs to upload at once.")
    var concurrency = 4

    @Option(help: "Upload in chunks of this size (e.g. 4M, 16M) instead of one request per blob.")
    var chunkSize: String?

    func validate() throws {
        guard (1...64).contains(concurrency) else { throw ValidationError("--concurrency takes 1 to 64") }
        if let chunkSize, Self.bytes(chunkSize) == nil { throw ValidationError("--chunk-size takes a size such as 4M or 16M") }
    }

    static func bytes(_ text: String) -> Int64? {
        let units: [Character: Int64] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30]
        let upper = text.uppercased().replacingOccurrences(of: "IB", with: "").replacingOccurrences(of: "B", with: "")
        if let last = upper.last, let unit = units[last], let number = Int64(upper.dropLast()), number > 0 { return number * unit }
        return Int64(upper).flatMap { $0 > 0 ? $0 : nil }
    }
}
