import ArgumentParser
import EdgepackKit
import Foundation
import OCIKit

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show what a layout directory, a bundle or a registry reference holds: artifacts, models, sizes, steps.",
        discussion: """
        TARGET is a directory written by 'edgepack build', a bundle written by 'edgepack export', or a registry \
        reference such as ghcr.io/acme/edge/pipelines/NAME:VERSION (or @sha256:…; a pipeline without either is \
        its newest published version). --config and --manifest print one artifact's JSON exactly as stored: \
        the pipeline's unless --artifact names another (e.g. models/ccfraud, charts/NAME).
        """
    )

    @Argument(help: "A layout directory, a bundle (.tar, or a split one's .tar.000 or .tar.parts.json), or a registry reference.", completion: .file())
    var target: String

    @Option(help: "In a layout or bundle: the artifact for --config/--manifest, e.g. models/ccfraud (default: the pipeline).")
    var artifact: String?

    @Flag(help: "Print the artifact's config JSON (for a pipeline, the config an edge engine reads).")
    var config = false

    @Flag(help: "Print the artifact's manifest JSON.")
    var manifest = false

    @Flag(help: "Print the artifact list as JSON instead of tables.")
    var json = false

    @Flag(help: "Hash every blob of a layout or bundle and fail if any does not match its digest.")
    var verify = false

    @OptionGroup var verification: VerifyKeyOptions
    @OptionGroup var connection: ConnectionOptions

    func validate() throws {
        if config && manifest { throw ValidationError("--config and --manifest print one document each: pass one of them") }
    }

    func run() throws {
        let artifacts: [InspectedArtifact]
        let chosen: InspectedArtifact?
        let opened = try InspectTarget.open(target)  // once: opening a bundle reads its whole tar index
        switch opened {
        case .layout(let layout):
            if verify { try layout.verify() }
            if let bundle = layout as? ImageLayoutBundle {
                try verification.verify(bundle: bundle)
            } else if verification.verifyKey != nil {
                throw CommandError("--verify-key checks a bundle or a registry reference, not a layout directory: export a bundle, or publish and inspect the reference")
            }
            artifacts = try InspectTarget.artifacts(of: layout)
            chosen = config || manifest || artifact != nil ? try InspectTarget.choose(artifact, from: artifacts, in: target) : nil
        case .registry(let reference):
            if verify { throw CommandError("--verify checks a layout or bundle; 'edgepack pull' verifies registry content as it downloads") }
            if artifact != nil { throw CommandError("--artifact picks from a layout or bundle; for a registry, name the artifact's own reference") }
            let client = try connection.client(host: reference.registry, resolver: try connection.credentials())
            let fetched = try InspectTarget.fetch(reference, client: client)
            try verification.verifyInRegistry(client: client, repository: reference.repository, reference: fetched.digest.string, checkContent: true)
            (artifacts, chosen) = ([fetched], fetched)
        }
        if let chosen, config || manifest {
            let bytes = config ? try chosen.readConfig() : chosen.manifestBytes
            // Exactly as stored, so `| sha256sum` gives the digest; a newline only for a person at a terminal.
            FileHandle.standardOutput.write(Data(bytes) + (isatty(STDOUT_FILENO) == 1 ? Data("\n".utf8) : Data()))
            return
        }
        let shown = chosen.map { [$0] } ?? artifacts
        if json {
            print(try CanonicalJSON.prettyText(shown.map(\.summary)))
            return
        }
        let rows = shown.map { [$0.reference, Self.kind($0.artifactType, reference: $0.reference), $0.digest.string, ByteCount.format($0.size)] }
        var sections = [Table.render(header: ["REFERENCE", "TYPE", "DIGEST", "SIZE"], rows: rows)]
        if chosen == nil, let images = try Self.imagesCarried(by: opened), !images.isEmpty {
            sections.append(Table.render(header: ["IMAGE", "PLATFORM", "DIGEST", "SIZE"], rows: images.map { image in
                [image.repository + ":" + image.tag, image.platform?.description ?? image.platforms.map(\.description).joined(separator: ", "),
                 image.digest.string, ByteCount.format(image.size)]
            }))
            if let note = Self.tagsResolved(for: images) { sections.append(note) }
        }
        for pipeline in shown where pipeline.isPipeline { sections.append(try PipelineSummary.render(pipeline)) }
        if case .layout(let layout) = opened, let note = try deltaNote(layout) { sections.append(note) }
        print(sections.joined(separator: "\n\n"))
        if verify { print("all blobs verified") }
    }

    /// The engine and sidekick images a layout or bundle carries (nil for a registry reference).
    private static func imagesCarried(by target: InspectTarget) throws -> [PipelineImage]? {
        guard case .layout(let layout) = target else { return nil }
        if let bundle = layout as? ImageLayoutBundle { return try PipelineImage.carried(in: bundle) }
        if let directory = layout as? LayoutDirectorySource { return try PipelineImage.carried(in: directory) }
        return nil
    }

    /// When the tags the images came from were resolved, as this machine's blob cache recorded it (the time is
    /// never in the bundle: same inputs, same bytes); nil when the cache knows none of them.
    private static func tagsResolved(for images: [PipelineImage]) -> String? {
        let cache = EdgepackEnvironment.current.blobCache()
        let lines = images.compactMap { image in
            cache.cachedTags(leadingTo: image.digest).first.map {
                MessageText.escaped("\(image.repository):\(image.tag) came from \($0.reference), resolved at \($0.resolvedAt) (blob cache)")
            }
        }
        return lines.isEmpty ? nil : lines.joined(separator: "\n")
    }

    static func kind(_ artifactType: String, reference: String) -> String {
        if reference.hasSuffix(".sig") { return "signature" }
        if reference.hasSuffix(".att") { return "attestations" }
        return switch artifactType {
        case MediaType.ModelPack.artifactType: "model"
        case "application/vnd.edgepack.pipeline.v1": "pipeline"
        case MediaType.Helm.config: "helm chart"
        case MediaType.Compose.artifactType: "compose"
        case MediaType.imageConfig, "application/vnd.docker.container.image.v1+json": "image"
        default: artifactType
        }
    }
}
