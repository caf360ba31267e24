import ArgumentParser
import Foundation
import OCIKit

struct Inspect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the artifacts in an offline bundle.")

    @Argument(help: "A bundle written by 'edgepack export'.", completion: .file(extensions: ["tar"]))
    var bundle: String

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @Flag(help: "Hash every blob and fail if any does not match its digest.")
    var verify = false

    @OptionGroup var verification: VerifyKeyOptions

    func run() async throws {
        let opened = try ImageLayoutBundle(path: bundle)
        if verify { try opened.verify() }
        try verification.verify(bundle: opened)
        let summaries = try opened.summaries()
        if json {
            print(try CanonicalJSON.prettyText(summaries))
            return
        }
        let rows = summaries.map { [$0.reference, Self.kind($0.artifactType, reference: $0.reference), $0.digest.string, ByteCount.format($0.size)] }
        print(Table.render(header: ["REFERENCE", "TYPE", "DIGEST", "SIZE"], rows: rows))
        if verify { print("all blobs verified") }
    }

    static func kind(_ artifactType: String, reference: String = "") -> String {
        if reference.hasSuffix(".sig") { return "signature" }
        if reference.hasSuffix(".att") { return "attestations" }
        return switch artifactType {
        case MediaType.ModelPack.artifactType: "model"
        case "application/vnd.edgepack.pipeline.v1": "pipeline"
        case MediaType.Helm.config: "helm chart"
        case MediaType.Compose.artifactType: "compose"
        default: artifactType
        }
    }
}
