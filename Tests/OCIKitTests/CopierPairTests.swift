import Foundation
import Testing
import TestSupport
@testable import OCIKit

/// The three stores a copy moves between, each as a source and as a destination.
enum StoreKind: String, CaseIterable, Sendable {
    case layout, archive, registry
}

/// The same artifacts, held in one kind of store (filled from the build), ready to be read back.
private struct FilledStore {
    let source: any ContentSource
    let items: [CopyItem]

    init(_ kind: StoreKind, _ artifacts: [Artifact], dir: TemporaryDirectory, client: RegistryClient) throws {
        let plain = artifacts.map { CopyItem($0) }
        switch kind {
        case .layout:
            try Copier.copy(artifacts, to: try LayoutDirectoryDestination(directory: dir.file("source-layout")))
            (source, items) = (try LayoutDirectorySource(directory: dir.file("source-layout")), plain)
        case .archive:
            try Copier.copy(artifacts, to: LayoutArchiveDestination(path: dir.file("source.tar"), mtime: 0))
            (source, items) = (try ImageLayoutBundle(path: dir.file("source.tar")), plain)
        case .registry:
            let prefix = uniquePrefix("pair-source")
            try Copier.copy(artifacts, to: RegistryDestination(client: client, prefixPath: prefix))
            source = RegistrySource(client: client, cache: BlobCache(directory: dir.file("downloads")))
            items = plain.map { item in
                var item = item
                item.sourceRepository = Repository(unchecked: prefix).appending(item.repository)
                return item
            }
        }
    }
}

@Suite struct CopierPairTests {
    /// Every source/destination pair (layout directory, archive, registry; a registry into another prefix of
    /// the same registry too): what arrives, copied on into an archive, is byte-identical to the archive made
    /// straight from the build, so every manifest, blob and tag made it unchanged.
    @Test(arguments: StoreKind.allCases, StoreKind.allCases)
    func everySourceToEveryDestinationKeepsEveryByte(from sourceKind: StoreKind, to destinationKind: StoreKind) throws {
        let dir = try TemporaryDirectory()
        let artifacts = [try sampleArtifact(dir, name: "one"), try sampleArtifact(dir, name: "two", content: "other weights")]
        let client = try connectToTokenRegistry()
        let filled = try FilledStore(sourceKind, artifacts, dir: dir, client: client)
        try Copier.copy(artifacts, to: LayoutArchiveDestination(path: dir.file("direct.tar"), mtime: 0))

        let plain = artifacts.map { CopyItem($0) }
        let result: String
        switch destinationKind {
        case .layout:
            try Copier(from: filled.source, to: try LayoutDirectoryDestination(directory: dir.file("copy"))).copy(filled.items)
            result = dir.file("copy-again.tar")
            try Copier(from: try LayoutDirectorySource(directory: dir.file("copy")), to: LayoutArchiveDestination(path: result, mtime: 0)).copy(plain)
        case .archive:
            result = dir.file("copy.tar")
            try Copier(from: filled.source, to: LayoutArchiveDestination(path: result, mtime: 0)).copy(filled.items)
        case .registry:
            let prefix = uniquePrefix("pair-destination")
            let summary = try Copier(from: filled.source, to: RegistryDestination(client: client, prefixPath: prefix)).copy(filled.items)
            #expect(summary.manifestsWritten == 2)
            if sourceKind == .registry { #expect(summary.blobsMounted == 4 && summary.blobsCopied == 0, "\(summary)") }
            for artifact in artifacts {
                #expect(try client.manifestDigest(.tag(artifact.tag), in: Repository(unchecked: "\(prefix)/\(artifact.repository)")) == artifact.manifestBlob.descriptor.digest)
            }
            result = dir.file("copy-again.tar")
            let back = plain.map { item in
                var item = item
                item.sourceRepository = Repository(unchecked: prefix).appending(item.repository)
                return item
            }
            try Copier(from: RegistrySource(client: client, cache: BlobCache(directory: dir.file("back"))), to: LayoutArchiveDestination(path: result, mtime: 0)).copy(back)
        }
        #expect(FileManager.default.contentsEqual(atPath: result, andPath: dir.file("direct.tar")), "\(sourceKind) -> \(destinationKind)")
    }

    /// A folder of plain files (what `pull` writes) from every source: each layer at the path named for it,
    /// the same bytes as the model; nothing left beside it.
    @Test(arguments: StoreKind.allCases)
    func everySourceIntoAFolderOfFiles(from sourceKind: StoreKind) throws {
        let dir = try TemporaryDirectory()
        let artifact = try sampleArtifact(dir, content: "weights to place")
        let filled = try FilledStore(sourceKind, [artifact], dir: dir, client: try connectToTokenRegistry())
        try FileManager.default.createDirectory(atPath: dir.file("out"), withIntermediateDirectories: true)
        let layer = artifact.layers[0].descriptor.digest
        let destination = try FileTreeDestination(directory: dir.file("out/files"),
                                                  placements: [layer: [.init(path: "models/demo/demo.bin"), .init(path: "copy/demo.bin")]],
                                                  isReplaceable: { _ in false })
        let summary = try Copier(from: filled.source, to: destination).copy(filled.items)
        #expect(summary.blobsCopied == 2)
        for path in ["models/demo/demo.bin", "copy/demo.bin"] {
            #expect(FileManager.default.contentsEqual(atPath: dir.file("out/files/\(path)"), andPath: dir.file("demo.bin")), "\(path)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("out")) == ["files"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("out/files")).sorted() == ["copy", "models"])
    }
}
