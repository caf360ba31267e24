import ArgumentParser
import EdgepackKit
import Foundation
import OCIKit

struct Diff: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "What changed between two releases (bundles or layout folders), and what a delta bundle between them carries.",
        discussion: "The delta is what 'edgepack export --since A' leaves in a bundle of B: the blobs a site holding A lacks."
    )

    @Argument(help: "The release the site has: a bundle (export) or a layout folder (build).", completion: .file(extensions: ["tar"]))
    var before: String

    @Argument(help: "The release to ship.", completion: .file(extensions: ["tar"]))
    var after: String

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        let diff = try ReleaseDiff(from: try Self.open(before), to: try Self.open(after))
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

    static func open(_ path: String) throws -> any ImageLayoutSource {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CommandError("cannot read \(path): no such file or folder; give a bundle (edgepack export) or a layout folder (edgepack build)")
        }
        return isDirectory.boolValue ? try LayoutDirectorySource(directory: path) : try ImageLayoutBundle(path: path)
    }
}
