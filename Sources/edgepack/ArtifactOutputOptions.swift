import ArgumentParser
import EdgepackKit
import Foundation
import OCIKit

/// -q / --json for build and export: the artifact lines and notes, none of it, or one JSON document.
struct ArtifactOutputOptions: ParsableArguments {
    @Flag(name: .shortAndLong, help: "No progress, notes or artifact lines; only errors.")
    var quiet = false

    @Flag(help: "Print what was written as JSON: the output, and each artifact's reference, digest and size.")
    var json = false

    func validate() throws {
        if quiet, json { throw ValidationError("--quiet and --json both choose the output: pass one of them") }
    }

    /// No progress display while JSON or nothing is wanted.
    var showsProgress: Bool { !quiet && !json }

    struct Written: Encodable {
        struct Entry: Encodable { var reference: String; var digest: String; var size: Int64 }
        var output: String
        var artifacts: [Entry]
        var blobsWritten: Int?
        enum CodingKeys: String, CodingKey { case output, artifacts; case blobsWritten = "blobs_written" }
    }

    /// The artifact lines (or JSON), the notes on stderr, then `wrote OUTPUT…`.
    func report(_ build: PipelineBuild, output: String, blobsWritten: Int? = nil, bundle: String? = nil, wrote: String) throws {
        if json {
            let entries = build.artifacts.map { artifact in
                Written.Entry(reference: artifact.reference, digest: artifact.manifestBlob.descriptor.digest.string,
                              size: artifact.manifestBlob.descriptor.size + artifact.contentBlobs.reduce(0) { $0 + $1.descriptor.size })
            }
            print(try CanonicalJSON.prettyText(Written(output: output, artifacts: entries, blobsWritten: blobsWritten)))
            return
        }
        guard !quiet else { return }
        printArtifacts(build)
        noteUnmirroredImages(build)
        notePlaceholderRegistry(build, bundle: bundle)
        print(wrote)
    }
}
