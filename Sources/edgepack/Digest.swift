import ArgumentParser
import EdgepackKit

struct Digest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "digest",
        abstract: "Print the sha256 digest of files (and of directories, as their deterministic tar layer)."
    )

    @Argument(help: "Files or directories.", completion: .file())
    var paths: [String]

    @OptionGroup var cache: CacheOptions

    func run() throws {
        let digests = try Workspace(useCache: !cache.noCache).digest(paths: paths)
        for (path, digest) in zip(paths, digests) {
            print("\(digest.digest) \(path)")
        }
    }
}
