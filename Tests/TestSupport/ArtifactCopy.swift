import OCIKit

extension Copier {
    /// Copies artifacts held in memory, each under its own reference: the copier as the commands drive it
    /// (`ArtifactSource` and one `CopyItem` per artifact), in one call for tests.
    @discardableResult
    public static func copy(_ artifacts: [Artifact], to destination: any ContentDestination) throws -> CopySummary {
        try Copier(from: ArtifactSource(artifacts), to: destination).copy(artifacts.map { CopyItem($0) })
    }
}
