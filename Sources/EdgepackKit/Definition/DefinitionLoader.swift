import Foundation
import OCIKit
import Yams

/// Reads and validates an `edgepack.yaml`, reporting every mistake as `file:line:column: message`.
public enum DefinitionLoader {
    public static let defaultFileName = "edgepack.yaml"

    static let topLevelKeys = ["name", "version", "registry", "engine", "deployment", "models", "steps"]
    static let modelKeys = ["name", "path", "framework", "runtime", "version", "input_schema", "output_schema"]

    /// Loads the definition at `path`; model paths are resolved against its directory and checked on disk.
    /// With `allowOutside`, model paths may be absolute or lead (through `..` or symlinks) outside the
    /// definition's folder; by default they must stay inside it.
    public static func load(path: String, allowOutside: Bool = false) throws -> PipelineDefinition {
        guard let data = FileManager.default.contents(atPath: path) else {
            if FileStatus.exists(path) { throw OCIError(.io, "cannot read \(path): permission denied or not a file") }
            throw OCIError(.notFound, "\(path) does not exist; name the pipeline definition (edgepack.yaml) to use")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw DefinitionError(diagnostics: [Diagnostic(file: path, line: 1, column: 1, message: "the file is not UTF-8 text")])
        }
        let directory = (path as NSString).deletingLastPathComponent
        return try parse(text, file: path, baseDirectory: directory.isEmpty ? "." : directory, allowOutside: allowOutside)
    }

    public static func parse(_ text: String, file: String, baseDirectory: String, allowOutside: Bool = false) throws -> PipelineDefinition {
        let diagnostics = DiagnosticCollector(file: file)
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch YamlError.duplicatedKeysInMapping(let duplicates, let context) {
            for key in duplicates.sorted() {
                let lines = keyLines(key, in: text, mappingAt: context.mark)
                diagnostics.error(line: lines.dropFirst().first ?? context.mark.line, column: context.mark.column, "duplicate key '\(key)' (first at line \(lines.first ?? context.mark.line))")
            }
            throw DefinitionError(diagnostics: diagnostics.sorted)
        } catch YamlError.reader(let problem, let offset, let value, _) {
            // A byte the YAML reader refuses (a NUL, a control character): located by its offset, shown escaped.
            let before = offset.map { Array(text.utf8.prefix($0)) } ?? []
            let line = before.filter { $0 == UInt8(ascii: "\n") }.count + 1
            let column = before.count - (before.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0) + 1
            diagnostics.error(line: line, column: column, "invalid YAML: \(problem) (character \\u{\(String(value, radix: 16))}); remove it")
            throw DefinitionError(diagnostics: diagnostics.sorted)
        } catch let error as YamlError {
            diagnostics.error(at: error.mark, "invalid YAML: \(error.problem)")
            throw DefinitionError(diagnostics: diagnostics.sorted)
        }
        guard let top = YAMLMapping(root ?? Node(""), path: "", allowedKeys: topLevelKeys, diagnostics: diagnostics) else {
            throw DefinitionError(diagnostics: diagnostics.sorted)
        }
        let reader = Reader(diagnostics: diagnostics, paths: ModelPathCheck(baseDirectory: baseDirectory, allowOutside: allowOutside),
                            baseDirectory: baseDirectory)
        let definition = reader.definition(top, file: file)
        guard diagnostics.diagnostics.isEmpty, let definition else {
            throw DefinitionError(diagnostics: diagnostics.sorted)
        }
        return definition
    }

    /// Lines (1-based) where `key:` starts at the column of the mapping that begins at `mark`.
    private static func keyLines(_ key: String, in text: String, mappingAt mark: Mark) -> [Int] {
        let indent = String(repeating: " ", count: max(0, mark.column - 1))
        return text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().compactMap { offset, line in
            let number = offset + 1
            guard number >= mark.line, line.hasPrefix(indent + key + ":") || line.hasPrefix(indent + "\"\(key)\":") else { return nil }
            return number
        }
    }

    private struct Reader {
        let diagnostics: DiagnosticCollector
        let paths: ModelPathCheck
        let baseDirectory: String

        func definition(_ top: YAMLMapping, file: String) -> PipelineDefinition? {
            let name = top.string("name", required: true)
            if let name, !ValueFormat.isPathComponent(name) {
                diagnostics.error(at: top["name"], "name '\(name)' is not a valid OCI path component: use lowercase letters and digits, separated by '.', '_' or '-'")
            }
            let version = uuid(top, "version")
            let registry = top.string("registry")
            let engine = YAMLMapping(top.required("engine"), path: "engine", allowedKeys: ["image", "mirror", "source"], diagnostics: diagnostics)
            let image = engine?.string("image", required: true)
            if let image, !ValueFormat.isImageReference(image) {
                diagnostics.error(at: engine?["image"], "engine.image '\(image)' is not an image reference such as registry.example.com/engine:v1")
            }
            let source = engine.flatMap { ImageSourceCheck(diagnostics: diagnostics, baseDirectory: baseDirectory).source($0) }
            let models = self.models(top.required("models"))
            let deployment = DeploymentReader(diagnostics: diagnostics, baseDirectory: baseDirectory).deployment(top["deployment"], models: models)
            let steps = StepReader(diagnostics: diagnostics).steps(top.required("steps"), models: models)
            guard let name, let image else { return nil }
            return PipelineDefinition(
                name: name, version: version, registry: registry,
                engine: Engine(image: image, mirror: engine?.boolean("mirror") ?? true, source: source),
                deployment: deployment, models: models, steps: steps, sourcePath: file, baseDirectory: baseDirectory
            )
        }

        func uuid(_ mapping: YAMLMapping, _ key: String) -> String? {
            guard let text = mapping.string(key) else { return nil }
            guard ValueFormat.isUUID(text) else {
                diagnostics.error(at: mapping[key], "'\(mapping.fieldPath(key))' must be a UUID such as 2c5968b7-62fa-49f8-9489-aaf84cfb80aa, got '\(text)'")
                return nil
            }
            return text.lowercased()
        }

        func models(_ node: Node?) -> [ModelSpec] {
            guard let node else { return [] }
            guard case .sequence(let sequence) = node else {
                diagnostics.error(at: node, "'models' must be a list of models, got \(node.kindDescription)")
                return []
            }
            if sequence.isEmpty { diagnostics.error(at: node, "'models' must list at least one model") }
            var result: [ModelSpec] = []
            var firstLine: [String: Int] = [:]
            for (index, item) in sequence.enumerated() {
                guard let mapping = YAMLMapping(item, path: "models[\(index)]", allowedKeys: modelKeys, diagnostics: diagnostics) else { continue }
                let name = mapping.string("name", required: true)
                if let name {
                    if !ValueFormat.isPathComponent(name) {
                        diagnostics.error(at: mapping["name"], "model name '\(name)' is not a valid OCI path component: use lowercase letters and digits, separated by '.', '_' or '-'")
                    } else if let line = firstLine[name] {
                        diagnostics.error(at: mapping["name"], "duplicate model '\(name)' (first defined at line \(line))")
                    } else {
                        firstLine[name] = mapping["name"]?.mark?.line ?? 0
                    }
                }
                let path = mapping.string("path", required: true)
                let file = path.flatMap { modelFile($0, node: mapping["path"]) }
                let framework = mapping.enumeration("framework", Framework.self, what: "framework")
                if mapping["framework"] == nil { _ = mapping.required("framework") }
                let runtime = mapping.enumeration("runtime", Runtime.self, what: "runtime")
                let version = uuid(mapping, "version")
                let input = schema(mapping, "input_schema")
                let output = schema(mapping, "output_schema")
                guard let name else { continue }
                // A model whose path or framework is wrong is still declared: steps and sidekicks that name it
                // report nothing more (one root cause, one message); its own error already stops the load.
                result.append(ModelSpec(
                    name: name, path: path ?? "", resolvedPath: file?.path ?? "", isDirectory: file?.isDirectory ?? false,
                    framework: framework ?? .custom, runtime: runtime ?? (framework ?? .custom).defaultRuntime, version: version,
                    inputSchema: input, outputSchema: output
                ))
            }
            return result
        }

        func modelFile(_ path: String, node: Node?) -> (path: String, isDirectory: Bool)? {
            if let problem = ModelPathText.problem(path) {
                diagnostics.error(at: node, problem)
                return nil
            }
            switch paths.resolve(path) {
            case .success(let file): return file
            case .failure(let problem):
                diagnostics.error(at: node, problem.message, remedy: problem.remedy)
                return nil
            }
        }

        func schema(_ mapping: YAMLMapping, _ key: String) -> [SchemaField] {
            guard let node = mapping[key], !node.isNull,
                  let fields = YAMLMapping(node, path: mapping.fieldPath(key), allowedKeys: nil, diagnostics: diagnostics)
            else { return [] }
            var result: [SchemaField] = []
            for pair in fields.pairs {
                guard let type = fields.string(pair.key) else { continue }
                if let problem = ArrowType.problem(in: type) {
                    diagnostics.error(at: pair.value, "'\(fields.fieldPath(pair.key))' is not a valid Arrow type '\(type)': \(problem)")
                    continue
                }
                result.append(SchemaField(name: pair.key, type: type))
            }
            return result
        }
    }
}

extension YamlError {
    var mark: Mark? {
        switch self {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): mark
        default: nil
        }
    }

    var problem: String {
        switch self {
        case .scanner(let context, let problem, _, _), .parser(let context, let problem, _, _), .composer(let context, let problem, _, _):
            [context.map { "\($0.text)" }, problem].compactMap { $0 }.joined(separator: ": ")
        default: "\(self)"
        }
    }
}
