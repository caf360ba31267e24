import EdgepackKit
import Foundation
import OCIKit

/// Which manifest `pull` fetches: the digest or tag written, else the newest published version of the pipeline
/// (edgepack never writes `latest`, so that would never be found).
enum PullTarget {
    static func resolve(_ reference: ImageReference, client: RegistryClient) throws -> ManifestReference {
        if let written = reference.manifestReference { return ManifestReference(written) }
        guard let (name, prefix) = pipeline(of: reference) else {
            throw CommandError("\(reference.name) names no version: add :VERSION or @sha256:DIGEST")
        }
        let versions = try PublishHistory.list(name, layout: try RegistryLayout(prefix: prefix), client: client)
        let hint = "edgepack publishes \(name) --registry \(prefix)"
        guard let newest = versions.first else {
            throw CommandError("no published versions of \(name) under \(prefix): check the name, or list them with '\(hint)'")
        }
        // The first publish record's time; before records, the manifest's own (only with SOURCE_DATE_EPOCH).
        let time = { (version: PublishedVersion) in version.createdAt ?? version.created }
        if versions.count > 1, time(newest) == nil || time(newest) == time(versions[1]) {
            throw CommandError("\(reference.name) has \(versions.count) versions and they record no publish time to tell the newest (publish with SOURCE_DATE_EPOCH set): name one as \(reference.name):VERSION (see '\(hint)')")
        }
        let line = "Using the newest published version: \(newest.version)\(time(newest).map { " (created \($0))" } ?? "")"
        FileHandle.standardError.write(Data((MessageText.escaped(line) + "\n").utf8))  // both come from the registry
        return .tag(newest.version)
    }

    /// The pipeline name and registry prefix of `HOST/PREFIX/pipelines/NAME`, or nil for another repository.
    static func pipeline(of reference: ImageReference) -> (name: String, prefix: String)? {
        let components = reference.repository.split(separator: "/").map(String.init)
        guard components.count >= 2, components[components.count - 2] == "pipelines" else { return nil }
        return (components[components.count - 1], ([reference.registry] + components.dropLast(2)).joined(separator: "/"))
    }

    /// Runs `body`; a version it does not find gets the command that lists the versions there are.
    static func explainingMissing<T>(_ reference: ImageReference, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as OCIError where error.code == .notFound {
            guard let (name, prefix) = pipeline(of: reference) else { throw error }
            throw OCIError(.notFound, error.message + ": list the versions with 'edgepack publishes \(name) --registry \(prefix)'", cause: error.cause)
        }
    }
}
