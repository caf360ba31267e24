import Foundation
import OCIKit

/// An SPDX 2.3 JSON document: the pipeline, every model it serves and the engine image it runs on.
public struct SPDXDocument: Codable, Sendable, Equatable {
    public static let predicateType = "https://spdx.dev/Document"

    public struct CreationInfo: Codable, Sendable, Equatable {
        public var created: String
        public var creators: [String]
    }

    public struct Checksum: Codable, Sendable, Equatable {
        public var algorithm = "SHA256"
        public var checksumValue: String
    }

    public struct Package: Codable, Sendable, Equatable {
        public var SPDXID: String
        public var name: String
        public var versionInfo: String?
        public var packageFileName: String?
        public var downloadLocation: String
        public var filesAnalyzed = false
        public var checksums: [Checksum]?
        public var primaryPackagePurpose: String?
        public var description: String?
        public var externalRefs: [ExternalReference]?
    }

    /// Where a package is found: a package URL (`pkg:oci/NAME@sha256%3A…?repository_url=…`).
    public struct ExternalReference: Codable, Sendable, Equatable {
        public var referenceCategory = "PACKAGE-MANAGER"
        public var referenceType = "purl"
        public var referenceLocator: String
    }

    public struct Relationship: Codable, Sendable, Equatable {
        public var spdxElementId: String
        public var relationshipType: String
        public var relatedSpdxElement: String
    }

    public var spdxVersion = "SPDX-2.3"
    public var dataLicense = "CC0-1.0"
    public var SPDXID = "SPDXRef-DOCUMENT"
    public var name: String
    public var documentNamespace: String
    public var creationInfo: CreationInfo
    public var packages: [Package]
    public var relationships: [Relationship]
}

extension SPDXDocument {
    /// The SBOM of a build: deterministic (its time is SOURCE_DATE_EPOCH's, or the epoch when unset).
    public init(build: PipelineBuild, toolVersion: String, created: String) {
        let pipelineDigest = build.pipeline.manifestBlob.descriptor.digest
        let name = build.release.name
        self.name = "\(name)-\(build.version)"
        documentNamespace = "https://spdx.org/spdxdocs/edgepack-\(Self.idPart(name))-\(pipelineDigest.encoded)"
        creationInfo = CreationInfo(created: created, creators: ["Tool: edgepack-\(toolVersion)"])
        let pipelineID = "SPDXRef-Pipeline"
        var packages = [Package(
            SPDXID: pipelineID, name: name, versionInfo: build.version, downloadLocation: "NOASSERTION",
            checksums: [Checksum(checksumValue: pipelineDigest.encoded)], primaryPackagePurpose: "APPLICATION",
            description: "edgepack pipeline (the sha256 is its OCI manifest's)",
            externalRefs: [Self.purl(repository: build.layout.name(of: build.pipeline.repository), digest: pipelineDigest, tag: build.version)]
        )]
        var relationships = [Relationship(spdxElementId: SPDXID, relationshipType: "DESCRIBES", relatedSpdxElement: pipelineID)]
        for (position, model) in build.models.enumerated() {
            let id = "SPDXRef-Model-\(position + 1)-\(Self.idPart(model.spec.name))"
            packages.append(Package(
                SPDXID: id, name: model.spec.name, versionInfo: model.version,
                packageFileName: model.layer.descriptor.annotations?[LayerAnnotation.filename],
                downloadLocation: "NOASSERTION",
                checksums: [Checksum(checksumValue: model.sha)], primaryPackagePurpose: "OTHER",
                description: "\(model.spec.framework.rawValue) model, \(model.spec.runtime.rawValue) runtime"
                    + (model.spec.isDirectory ? " (a directory; the sha256 is its tar layer's)" : ""),
                externalRefs: [Self.purl(repository: build.layout.name(of: model.artifact.repository),
                                         digest: model.artifact.manifestBlob.descriptor.digest, tag: model.version)]
            ))
            relationships.append(Relationship(spdxElementId: pipelineID, relationshipType: "CONTAINS", relatedSpdxElement: id))
        }
        let engineID = "SPDXRef-Engine"
        let engine = build.release.engineLocation(in: build.layout)
        packages.append(Self.image(engine.reference, id: engineID, description: "inference engine image"
            + (build.release.engineImage.map { " (mirrored from \($0.source))" } ?? "")))
        relationships.append(Relationship(spdxElementId: pipelineID, relationshipType: "DEPENDS_ON", relatedSpdxElement: engineID))
        for (position, sidekick) in build.release.deployment.sidekicks.enumerated() {
            let id = "SPDXRef-Sidekick-\(position + 1)-\(Self.idPart(sidekick.model))"
            let image = build.release.sidekickLocation(sidekick, in: build.layout)
            packages.append(Self.image(image?.reference ?? engine.reference, id: id,
                                       description: "sidekick container for model \(sidekick.model)" + (image == nil ? " (runs the engine image)" : "")))
            relationships.append(Relationship(spdxElementId: pipelineID, relationshipType: "DEPENDS_ON", relatedSpdxElement: id))
        }
        self.packages = packages
        self.relationships = relationships
    }

    /// An image package; its checksum only when the reference pins a digest.
    static func image(_ reference: String, id: String, description: String) -> Package {
        let parsed = try? ImageReference(parsing: reference)
        return Package(
            SPDXID: id, name: parsed?.nameAsWritten ?? reference, versionInfo: parsed?.digest?.string ?? parsed?.tag,
            downloadLocation: "NOASSERTION", checksums: parsed?.digest.map { [Checksum(checksumValue: $0.encoded)] },
            primaryPackagePurpose: "CONTAINER", description: description,
            externalRefs: parsed.map { [purl(repository: $0.nameAsWritten, digest: $0.digest, tag: $0.tag)] }
        )
    }

    /// An OCI package URL (purl-spec's `oci` type): the last path component as the name, the manifest digest
    /// as the version, the repository and tag as qualifiers.
    static func purl(repository: String, digest: Digest?, tag: String?) -> ExternalReference {
        let name = String(repository.split(separator: "/").last ?? Substring(repository)).lowercased()
        let version = digest.map { "@\($0.algorithm)%3A\($0.encoded)" } ?? ""
        let tagQualifier = tag.map { "&tag=\($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._"))) ?? $0)" } ?? ""
        return ExternalReference(referenceLocator: "pkg:oci/\(name)\(version)?repository_url=\(repository.lowercased())\(tagQualifier)")
    }

    /// SPDX identifiers allow letters, digits, '.' and '-'.
    static func idPart(_ text: String) -> String {
        String(text.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") ? $0 : "-" })
    }
}
