import EdgepackKit
import Foundation
import OCIKit

/// A pipeline's models and steps as tables, read from its config JSON and manifest. Read loosely (as JSON, not
/// as edgepack's own types) so that inspect shows what any version of edgepack published.
enum PipelineSummary {
    static func render(_ artifact: InspectedArtifact) throws -> String {
        let bytes = try artifact.readConfig()
        guard let config = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
            throw CommandError("the pipeline config of \(artifact.reference) is not a JSON object")
        }
        let models = config["models"] as? [[String: Any]] ?? []
        let steps = config["steps"] as? [Any] ?? []
        var sizes: [String: Int64] = [:]
        for layer in artifact.manifest.layers {
            if let name = layer.annotations?[LayerAnnotation.name] { sizes[name, default: 0] += layer.size }
        }
        let total = models.compactMap { sizes[$0["name"] as? String ?? ""] }.reduce(0, +)
        let heading = "pipeline \(config["id"] as? String ?? "?") version \(config["version"] as? String ?? "?"): "
            + "\(plural(models.count, "model")) (\(ByteCount.format(total))), \(plural(steps.count, "step"))"
        let modelRows = models.map { model -> [String] in
            let name = model["name"] as? String ?? "?"
            return [name, model["version"] as? String ?? "", model["runtime"] as? String ?? "", sizes[name].map(ByteCount.format) ?? "-", model["sha"] as? String ?? ""]
        }
        let stepRows = steps.enumerated().map { index, step -> [String] in
            let (kind, body) = (step as? [String: Any])?.first.map { ($0.key, $0.value) } ?? ("\(step)", [:])
            let names = modelNames(in: body)
            return ["\(index + 1)", kind, names.isEmpty ? "-" : names.joined(separator: ", ")]
        }
        return [MessageText.escaped(heading), "",
                Table.render(header: ["MODEL", "VERSION", "RUNTIME", "SIZE", "SHA"], rows: modelRows), "",
                Table.render(header: ["STEP", "KIND", "MODELS"], rows: stepRows)].joined(separator: "\n")
    }

    /// The names of the models a step refers to, in order, each once.
    static func modelNames(in value: Any) -> [String] {
        var names: [String] = []
        func visit(_ value: Any) {
            if let object = value as? [String: Any] {
                if let name = object["name"] as? String, object["sha"] != nil, !names.contains(name) { names.append(name) }
                for key in object.keys.sorted() { visit(object[key]!) }
            } else if let array = value as? [Any] {
                array.forEach(visit)
            }
        }
        visit(value)
        return names
    }

    static func plural(_ count: Int, _ noun: String) -> String { "\(count) \(noun)\(count == 1 ? "" : "s")" }
}
