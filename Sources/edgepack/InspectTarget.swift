import EdgepackKit
import Foundation
import OCIKit

/// One artifact as inspect shows it: its manifest's exact bytes, and its config read on demand.
struct InspectedArtifact {
    var reference: String
    var manifestBytes: [UInt8]
    var manifest: Manifest
    var readConfig: () throws -> [UInt8]

    var digest: OCIKit.Digest { SHA256Hasher.digest(manifestBytes) }
    var size: Int64 { Int64(manifestBytes.count) + manifest.config.size + manifest.layers.reduce(0) { $0 + $1.size } }
    var artifactType: String { manifest.artifactType ?? manifest.config.mediaType }
    /// The fields `inspect --json` prints (as it always has for bundles).
    var summary: Summary {
        Summary(reference: reference, artifactType: artifactType, digest: digest.string, size: size, layers: manifest.layers.count)
    }

    struct Summary: Encodable {
        var reference: String
        var artifactType: String
        var digest: String
        var size: Int64
        var layers: Int
    }

    var isPipeline: Bool { artifactType == EdgepackMediaType.pipelineArtifact || manifest.config.mediaType == EdgepackMediaType.pipelineConfig }
}

/// What `inspect` was given: a layout directory (build), a bundle (export), or a registry reference.
enum InspectTarget {
    case layout(any ImageLayoutSource)
    case registry(ImageReference)

    static func open(_ text: String) throws -> InspectTarget {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: text, isDirectory: &isDirectory) {
            return .layout(isDirectory.boolValue ? try LayoutDirectorySource(directory: text) : try ImageLayoutBundle(path: text))
        }
        if try SplitBundle.listPath(for: text) != nil { return .layout(try ImageLayoutBundle(path: text)) }  // a split bundle by its own name
        let written = text.hasPrefix("oci://") ? String(text.dropFirst("oci://".count)) : text
        if let reference = try? ImageReference(parsing: written), reference.nameAsWritten.contains("/"), reference.registry != "docker.io" || written.hasPrefix("docker.io/") {
            return .registry(reference)
        }
        throw CommandError("cannot read \(text): no such file or directory, and not a registry reference such as ghcr.io/acme/edge/pipelines/NAME:VERSION")
    }

    /// Every artifact of a layout.
    static func artifacts(of layout: any ImageLayoutSource) throws -> [InspectedArtifact] {
        try layout.artifacts().map { artifact in
            guard case .bytes(let bytes) = artifact.manifestBlob.content else { throw CommandError("\(layout.path): cannot read the manifest of \(artifact.reference)") }
            return InspectedArtifact(reference: artifact.reference, manifestBytes: bytes, manifest: artifact.manifest,
                                     readConfig: { try layout.bytes(artifact.manifest.config) })
        }
    }

    /// The artifact `--artifact` names (a reference, its repository, or a unique start of one), else the pipeline.
    static func choose(_ wanted: String?, from artifacts: [InspectedArtifact], in path: String) throws -> InspectedArtifact {
        let matches: [InspectedArtifact]
        if let wanted {
            let exact = artifacts.filter { $0.reference == wanted || repository(of: $0.reference) == wanted }
            matches = exact.isEmpty ? artifacts.filter { $0.reference.hasPrefix(wanted) } : exact
        } else {
            matches = artifacts.filter(\.isPipeline)
        }
        guard matches.count == 1, let match = matches.first else {
            let names = (matches.isEmpty ? artifacts : matches).map(\.reference).joined(separator: ", ")
            let what = wanted.map { "'\($0)' matches \(matches.count) artifacts" } ?? "\(path) holds \(matches.count) pipelines"
            throw CommandError("\(what) in \(path): pass --artifact with one of \(names)")
        }
        return match
    }

    /// `models/ccfraud:1.0` -> `models/ccfraud`.
    static func repository(of reference: String) -> String {
        guard let colon = reference.lastIndex(of: ":"), !reference[colon...].contains("/") else { return reference }
        return String(reference[..<colon])
    }

    /// A registry artifact: the manifest by tag or digest (a pipeline without either: its newest version).
    static func fetch(_ reference: ImageReference, client: RegistryClient) throws -> InspectedArtifact {
        let (tagOrDigest, manifest, blob) = try PullTarget.explainingMissing(reference) {
            let tagOrDigest = try PullTarget.resolve(reference, client: client)
            let (manifest, blob) = try client.fetchManifest(tagOrDigest, in: try Repository(validating: reference.repository))
            return (tagOrDigest, manifest, blob)
        }
        guard case .bytes(let bytes) = blob.content else { throw CommandError("cannot read the manifest of \(reference)") }
        return InspectedArtifact(reference: ImageReference.join(reference.name, tagOrDigest.description), manifestBytes: bytes, manifest: manifest, readConfig: {
            let sink = MemorySink()
            try client.fetchBlob(manifest.config, from: try Repository(validating: reference.repository), into: sink)
            return sink.bytes
        })
    }
}
