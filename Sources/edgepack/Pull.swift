import ArgumentParser
import EdgepackKit
import Foundation
import OCIKit

struct Pull: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pull",
        abstract: "Fetch a published pipeline and its models, verifying every digest, as an edge engine does.",
        discussion: """
        Writes DIR/pipeline.json and DIR/models/NAME/VERSION/FILE (with --model, only the models named), and \
        DIR/.edgepack-pull saying what was pulled. \
        DIR must be new, empty, or a folder an earlier pull made (which is replaced whole). A directory model \
        unpacks to plain files, folders and links inside its folder only, and to no more than its layer's size.
        """
    )

    @Argument(help: "The pipeline: ghcr.io/acme/edge/pipelines/NAME[:VERSION][@sha256:DIGEST]; without either, the newest published version.")
    var reference: String

    @Option(name: .shortAndLong, help: "The directory to write into.")
    var output: String

    @Flag(help: "Print the layers as JSON.")
    var json = false

    @Flag(name: .shortAndLong, help: "No progress, table or summary; only errors.")
    var quiet = false

    @Option(help: "The most a directory model may unpack to (e.g. 512M, 4G); by default its layer's size.")
    var maxUnpacked: String?

    @Option(name: .customLong("model"), help: "Pull only this model (repeatable); the pipeline config always comes. By default every model.")
    var models: [String] = []

    func validate() throws {
        if quiet, json { throw ValidationError("--quiet and --json both choose the output: pass one of them") }
        if let maxUnpacked, UploadOptions.bytes(maxUnpacked) == nil {
            throw ValidationError("--max-unpacked takes a size such as 512M or 4G, got '\(maxUnpacked)'")
        }
    }

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var verification: VerifyKeyOptions

    func run() throws {
        let parsed = try ImageReference(parsing: reference)
        let client = try connection.client(host: parsed.registry, resolver: try connection.credentials())
        let repository = try Repository(validating: parsed.repository)
        let output = PathArgument.absolute(self.output)
        let (pinned, manifest) = try PullTarget.explainingMissing(parsed) {
            var pinned = try PullTarget.resolve(parsed, client: client)
            if verification.verifyKey != nil, parsed.digest == nil {
                guard let digest = try client.manifestDigest(pinned, in: repository) else {
                    throw OCIError(.notFound, "\(parsed.name): no such version")
                }
                pinned = .digest(digest)  // what was verified is exactly what is pulled, even if the tag moves meanwhile
            }
            try verification.verifyBeforePull(client: client, repository: parsed.repository, reference: pinned.description)
            return (pinned, try client.fetchManifest(pinned, in: repository).manifest)
        }
        let progress = ProgressDisplay(quiet: json || quiet, plainLines: false)
        let fetched = manifest.layers.filter { models.isEmpty || models.contains($0.annotations?[LayerAnnotation.name] ?? "") }
        progress.start("pulling \(parsed.repository.split(separator: "/").last ?? "")", total: fetched.reduce(manifest.config.size) { $0 + $1.size },
                       polling: { client.counters.receivedBytes })
        defer { progress.stop() }
        let (_, layers) = try Puller(client: client).pull(repository: repository, reference: pinned, into: output,
                                                        maxUnpacked: maxUnpacked.flatMap(UploadOptions.bytes), models: models)
        progress.stop()
        if client.counters.resumes > 0, !quiet {
            FileHandle.standardError.write(Data("resumed \(client.counters.resumes) interrupted download\(client.counters.resumes == 1 ? "" : "s") (\(ByteCount.format(client.counters.resumedBytes)) not fetched again)\n".utf8))
        }
        if json {
            print(try CanonicalJSON.prettyText(layers))
        } else if !quiet {
            print(Table.render(header: ["DIGEST", "FILENAME", "NAME", "TYPE", "RUNTIME", "VERSION"],
                               rows: layers.map { [$0.digest, $0.filename, $0.name, $0.type, $0.runtime, $0.version] }))
            print("wrote \(self.output)")
        }
    }
}
