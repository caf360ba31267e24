import Foundation
import OCIKit

/// The files of a chart other than Chart.yaml and values.yaml (which edgepack writes): the templates built
/// into the binary from Templates/helm, or a user's own chart directory.
public struct ChartTemplates: Sendable {
    public var files: [ChartFile]

    public static let builtIn = ChartTemplates(files: EmbeddedHelmTemplates.files.map { ChartFile(path: $0.path, bytes: Array($0.contents.utf8)) })

    /// Every file under `directory` (a chart directory), except the Chart.yaml and values.yaml edgepack generates.
    public static func load(directory: String) throws -> ChartTemplates {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw OCIError(.notFound, "templates directory \(directory) does not exist")
        }
        guard let enumerator = FileManager.default.enumerator(atPath: directory) else {
            throw OCIError(.io, "cannot read templates directory \(directory)")
        }
        var files: [ChartFile] = []
        while let relative = enumerator.nextObject() as? String {
            let path = directory + "/" + relative
            guard try FileStatus(path: path, followLinks: false).isRegularFile, !["Chart.yaml", "values.yaml", "Chart.lock"].contains(relative) else { continue }
            guard let data = FileManager.default.contents(atPath: path) else { throw OCIError(.io, "cannot read \(path)") }
            files.append(ChartFile(path: relative, bytes: Array(data)))
        }
        guard files.contains(where: { $0.path.hasPrefix("templates/") }) else {
            throw InputError(.invalidLayout, "\(directory) has no templates/ folder", remedy: .nameChartDirectory)
        }
        return ChartTemplates(files: files)
    }
}

/// A file of a chart, by its path inside the chart directory.
public struct ChartFile: Sendable, Hashable {
    public var path: String
    public var bytes: [UInt8]
}
