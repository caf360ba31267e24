import ArgumentParser
import OCIKit

/// --concurrency and --chunk-size: only for the commands that upload (publish, push).
struct UploadOptions: ParsableArguments {
    // Unconditional parsing, so that "-1" is read as a (wrong) number rather than as a missing value.
    @Option(parsing: .unconditional, help: "How many blobs over 1 MiB to upload at once (1 to 64); lookups, small blobs and manifests go four times as many at once.")
    var concurrency = Copier.defaultConcurrency

    @Option(parsing: .unconditional, help: "Upload in chunks of this size (4K to 2G, e.g. 4M, 16M) instead of one request per blob.")
    var chunkSize: String?

    static let chunkSizes: ClosedRange<Int64> = (4 << 10)...(2 << 30)

    func validate() throws {
        guard (1...64).contains(concurrency) else { throw ValidationError("--concurrency takes 1 to 64, got \(concurrency)") }
        if let chunkSize, !(Self.bytes(chunkSize).map { Self.chunkSizes.contains($0) } ?? false) {
            throw ValidationError("--chunk-size takes a size from 4K to 2G such as 4M or 16M, got '\(chunkSize)'")
        }
    }

    static func bytes(_ text: String) -> Int64? {
        let units: [Character: Int64] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30]
        let upper = text.uppercased().replacingOccurrences(of: "IB", with: "").replacingOccurrences(of: "B", with: "")
        if let last = upper.last, let unit = units[last], let number = Int64(upper.dropLast()), number > 0 {
            let (bytes, overflow) = number.multipliedReportingOverflow(by: unit)
            return overflow ? nil : bytes
        }
        return Int64(upper).flatMap { $0 > 0 ? $0 : nil }
    }
}
