import Foundation
import OCIKit

/// A SLSA provenance v1 predicate for a pipeline: built by edgepack from the definition and model files
/// (each with its sha256), at a git commit when the definition is in a repository, in a CI run when known.
public struct SLSAProvenance: Codable, Sendable, Equatable {
    public static let predicateType = "https://slsa.dev/provenance/v1"
    public static let buildType = "https://edgepack.dev/pipeline-build/v1"

    public struct ResourceDescriptor: Codable, Sendable, Equatable {
        public var name: String?
        public var uri: String?
        public var digest: [String: String]
        public var annotations: [String: String]?
    }

    public struct ExternalParameters: Codable, Sendable, Equatable {
        public var definition: String
        public var pipeline: String
        public var version: String
        public var registry: String
        public var engineImage: String
    }

    public struct InternalParameters: Codable, Sendable, Equatable {
        public var sourceDateEpoch: Int64?
        public var gitDirty: Bool?
        public var ci: [String: String]?
    }

    public struct BuildDefinition: Codable, Sendable, Equatable {
        public var buildType: String
        public var externalParameters: ExternalParameters
        public var internalParameters: InternalParameters
        public var resolvedDependencies: [ResourceDescriptor]
    }

    public struct Builder: Codable, Sendable, Equatable {
        public var id: String
        public var version: [String: String]
    }

    public struct Metadata: Codable, Sendable, Equatable {
        public var invocationId: String?
        public var startedOn: String?
    }

    public struct RunDetails: Codable, Sendable, Equatable {
        public var builder: Builder
        public var metadata: Metadata
    }

    public var buildDefinition: BuildDefinition
    public var runDetails: RunDetails
}

extension SLSAProvenance {
    /// `definitionDigest` is the sha256 of the definition file as read (nil when it is not a file, e.g. a bundle).
    public init(build: PipelineBuild, definitionDigest: Digest?, source: SourceInfo, toolVersion: String, sourceDateEpoch: Int64?) {
        let definition = build.release
        var dependencies: [ResourceDescriptor] = []
        if let definitionDigest {
            dependencies.append(ResourceDescriptor(name: (source.definitionPath as NSString).lastPathComponent, uri: nil,
                                                   digest: [definitionDigest.algorithm: definitionDigest.encoded], annotations: ["role": "definition"]))
        }
        for model in build.models {
            var annotations = ["role": "model", "model": model.spec.name, "version": model.version, "framework": model.spec.framework.rawValue]
            if model.spec.isDirectory { annotations["digestOf"] = "deterministic tar of the directory" }
            dependencies.append(ResourceDescriptor(name: model.spec.path, uri: nil, digest: ["sha256": model.sha], annotations: annotations))
        }
        if let commit = source.gitCommit {
            dependencies.append(ResourceDescriptor(name: "source", uri: source.gitRemote.map { "git+\($0)@\(commit)" },
                                                   digest: ["gitCommit": commit], annotations: ["dirty": source.gitDirty == true ? "true" : "false"]))
        }
        // The engine as resolved when it was mirrored (its source and the digest copied), else as the definition pins it.
        let mirrored = build.release.engineImage
        let engineDigest = mirrored?.digest ?? (try? ImageReference(parsing: definition.engine.image))?.digest
        dependencies.append(ResourceDescriptor(name: "engine", uri: mirrored?.source ?? definition.engine.image,
                                               digest: engineDigest.map { [$0.algorithm: $0.encoded] } ?? [:], annotations: ["role": "engine image"]))
        buildDefinition = BuildDefinition(
            buildType: Self.buildType,
            externalParameters: ExternalParameters(definition: source.definitionPath, pipeline: definition.name, version: build.version,
                                                   registry: build.layout.prefix, engineImage: definition.engine.image),
            internalParameters: InternalParameters(sourceDateEpoch: sourceDateEpoch, gitDirty: source.gitDirty, ci: source.ci.isEmpty ? nil : source.ci),
            resolvedDependencies: dependencies
        )
        runDetails = RunDetails(
            builder: Builder(id: "https://edgepack.dev/builder/edgepack@\(toolVersion)", version: ["edgepack": toolVersion]),
            metadata: Metadata(invocationId: source.invocationID, startedOn: sourceDateEpoch.map(SourceDate.rfc3339))
        )
    }
}
