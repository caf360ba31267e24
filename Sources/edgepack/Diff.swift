import ArgumentParser
import EdgepackKit
import Foundation
import OCIKit

struct Diff: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "What changed between two releases (bundles, layout folders or published versions), and what a delta between them carries.",
        discussion: "The delta is what 'edgepack export --since A' leaves in a bundle of B: the blobs a site holding A lacks. A published version is HOST/PREFIX/pipelines/NAME:VERSION (its pipeline, models, chart and compose file)."
    )

    @Argument(help: "The release the site has: a bundle (export), a layout folder (build), or HOST/PREFIX/pipelines/NAME:VERSION.", completion: .file(extensions: ["tar"]))
    var before: String

    @Argument(help: "The release to ship.", completion: .file(extensions: ["tar"]))
    var after: String

    @Flag(help: "Print JSON.")
    var json = false

    @OptionGroup var connection: ConnectionOptions

    func run() throws {
        let diff = try ReleaseDiff(from: try open(before), to: try open(after))
        if json {
            print(try CanonicalJSON.prettyText(diff))
            return
        }
        func side(_ side: ReleaseDiff.Side?) -> String {
            guard let side else { return "-" }
            return "\(MessageText.escaped(side.tag)) \(side.digest.dropFirst("sha256:".count).prefix(12)) \(ByteCount.format(side.size))"
        }
        print(Table.render(header: ["ARTIFACT", "KIND", "BEFORE", "AFTER", "CHANGE"],
                           rows: diff.rows.map { [MessageText.escaped($0.repository), $0.kind, side($0.before), side($0.after), $0.change.rawValue] }))
        let totals = diff.totals
        print("shared: \(totals.sharedBlobs) blob\(totals.sharedBlobs == 1 ? "" : "s") (\(ByteCount.format(totals.sharedBytes)))")
        print("delta:  \(totals.deltaBlobs) blob\(totals.deltaBlobs == 1 ? "" : "s") (\(ByteCount.format(totals.deltaBytes))), a bundle of \(ByteCount.format(totals.deltaBundleBytes)) (edgepack export --since \(ShellWord.quoted(before)))")
    }

    func open(_ path: String) throws -> any ImageLayoutSource {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            return isDirectory.boolValue ? try LayoutDirectorySource(directory: path) : try ImageLayoutBundle(path: path)
        }
        guard path.contains("/pipelines/"), let reference = try? ImageReference(parsing: path), let tag = reference.tag,
              let (name, prefix) = PullTarget.pipeline(of: reference) else {
            throw CommandError("cannot read \(path): no such file or folder, and not a published version; give a bundle (edgepack export), a layout folder (edgepack build) or HOST/PREFIX/pipelines/NAME:VERSION")
        }
        let client = try connection.client(host: reference.registry, resolver: try connection.credentials())
        return try PullTarget.explainingMissing(reference) {
            try RegistryRelease(client: client, layout: try RegistryLayout(prefix: prefix), pipeline: name, version: tag)
        }
    }
}
