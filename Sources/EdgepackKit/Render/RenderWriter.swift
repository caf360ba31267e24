import Foundation
import OCIKit

/// Writes what `edgepack render` produces into a directory:
/// `chart/NAME/…`, `NAME-0.0.1-VERSION.tgz`, `values.yaml`, `compose.yaml`, `.env.example` and `DEPLOY.md`.
public struct RenderWriter {
    public var directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// With `credentials`, the chart's values.yaml (and its .tgz) carry them, and a `.env` is written (mode 0600).
    /// The chart and compose artifacts in `build` never do.
    @discardableResult
    public func write(_ build: PipelineBuild, templates: ChartTemplates = .builtIn, credentials: EmbeddedCredentials? = nil) throws -> [String] {
        var chart = build.chart
        if let credentials {
            let renderer = ChartRenderer(templates: templates, mtime: SourceDate.epoch(), created: nil)
            chart = try renderer.render(build.release, layout: build.layout, credentials: credentials)
        }
        let embedded = credentials != nil
        var outputs: [(path: String, bytes: [UInt8], secret: Bool)] = chart.files.map {
            ("chart/\(chart.metadata.name)/\($0.path)", $0.bytes, embedded && $0.path == "values.yaml")
        }
        outputs += [
            (chart.packageFileName, chart.package, embedded),
            ("values.yaml", chart.valuesYAML, embedded),
            ("compose.yaml", build.compose.yaml, false),
            (".env.example", build.compose.envExample, false),
            ("DEPLOY.md", Array(build.commands.markdown(pipeline: build.name, version: build.version).utf8), false),
        ]
        if let credentials {
            outputs.append((".env", Array("OCI_USERNAME=\(credentials.username)\nOCI_PASSWORD=\(credentials.password)\n".utf8), true))
        }
        let chartDirectory = directory + "/chart/" + chart.metadata.name
        // A chart directory from an earlier render is replaced whole, so no stale template survives.
        let staging = AtomicFile.temporaryPath(for: chartDirectory)
        try FileManager.default.createDirectory(atPath: directory + "/chart", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: staging) }
        for output in outputs {
            let target = output.path.hasPrefix("chart/") ? staging + output.path.dropFirst("chart/\(chart.metadata.name)".count) : directory + "/" + output.path
            try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try AtomicFile.write(Data(output.bytes), to: target, permissions: output.secret ? 0o600 : 0o644)
        }
        try? FileManager.default.removeItem(atPath: chartDirectory)
        try FileManager.default.moveItem(atPath: staging, toPath: chartDirectory)
        return outputs.map { directory + "/" + $0.path }
    }
}
