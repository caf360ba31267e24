import ArgumentParser
import Foundation
import EdgepackKit
import OCIKit

/// Copies one image into a registry the way publish mirrors the engine (hidden: for scripts/bench and for
/// trying a source out; publish and export do this themselves).
struct MirrorImage: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mirror-image",
        abstract: "Copy an image into a registry, digests preserved (one platform, or all).",
        shouldDisplay: false
    )

    @Argument(help: "HOST/REPO:TAG, HOST/REPO@sha256:…, oci-archive:PATH[:REF], oci:DIR[:REF] or docker-archive:PATH (paths relative to the current directory).")
    var source: String

    @Argument(help: "HOST/REPO[:TAG] to copy it to (TAG defaults to the source's).")
    var destination: String

    @Option(help: "The platform to copy from a multi-platform image, e.g. linux/arm64.")
    var platform = "linux/amd64"

    @Flag(help: "Copy the whole multi-platform index.")
    var allPlatforms = false

    @Flag(help: "Do not read or fill the blob cache.")
    var noCache = false

    @Flag(name: .shortAndLong, help: "No progress and no transfer summary.")
    var quiet = false

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var uploads: UploadOptions

    func run() throws {
        let spec = try ImageSourceSpec(parsing: source, relativeTo: FileManager.default.currentDirectoryPath)
        let target = try ImageReference(parsing: destination)
        guard target.digest == nil else { throw CommandError("the destination \(destination) takes a tag, not a digest") }
        let choice: PlatformChoice = allPlatforms ? .all : .only(try Platform(parsing: platform))
        let resolver = try connection.credentials()
        var credential = Credential.anonymous
        if case .registry(let reference) = spec { credential = try resolver.sourceCredential(for: reference.registry) }
        let image = try ImageResolver(registryOptions: connection.registryOptions(), cache: noCache ? nil : EdgepackEnvironment.current.blobCache())
            .resolve(spec, platform: choice, credential: credential)
        let progress = ProgressDisplay(quiet: quiet)
        let client = try connection.client(host: target.registry, resolver: resolver, uploads: uploads)
        progress.start("mirroring \(source)", total: image.size)
        defer { progress.stop() }
        let mirrored = try Copier.mirror(image, to: RegistryDestination(client: client, prefixPath: ""), repository: target.repository,
                                         tag: target.tag, concurrency: uploads.concurrency, onEvent: progress.onEvent)
        progress.stop()
        print("\(target.registry)/\(mirrored.repository):\(mirrored.tag)@\(mirrored.digest) \(mirrored.platform?.description ?? (allPlatforms ? "all platforms" : "-")) \(ByteCount.format(mirrored.size))")
        if !quiet {
            let summary = mirrored.summary
            FileHandle.standardError.write(Data("uploaded \(summary.blobsCopied) blobs (\(ByteCount.format(summary.bytesCopied))), mounted \(summary.blobsMounted), already there \(summary.blobsExisting)\n".utf8))
        }
    }
}
