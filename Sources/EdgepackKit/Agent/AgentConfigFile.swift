import Foundation
import OCIKit
import Yams

/// `agent.yaml`: the agent's options as a flat mapping, the keys spelled as the long options without `--`
/// (`registry: …`, `apply-command: …`, `keep: 3`, `once: true`). Only those keys; scalar values only.
public enum AgentConfigFile {
    public static let keys = ["registry", "pipeline", "channel", "state", "site", "once", "interval", "runtime", "apply-command", "keep",
                              "verify-key", "health-url", "health-timeout", "report-registry", "watch",
                              "helm-namespace", "kube-context"]

    /// The file's settings by key; one error line naming the file (and line) for anything else.
    public static func load(_ path: String) throws -> [String: String] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw OCIError(.io, "cannot read the agent config \(path)")
        }
        guard data.count <= 64 << 10 else { throw OCIError(.invalidJSON, "\(path) is \(data.count) bytes; an agent config is a few lines") }
        let node: Node?
        do {
            node = try Yams.compose(yaml: String(decoding: data, as: UTF8.self))
        } catch {
            throw OCIError(.invalidJSON, "\(path) is not YAML: \(AgentStatus.oneLine(String(describing: error)))")
        }
        guard let node else { return [:] }
        guard case .mapping(let mapping) = node else { throw OCIError(.invalidJSON, "\(path) must be a mapping of option: value") }
        var settings: [String: String] = [:]
        for (keyNode, value) in mapping {
            let line = keyNode.mark.map { ":\($0.line)" } ?? ""
            guard case .scalar(let key) = keyNode, keys.contains(key.string) else {
                let name = keyNode.scalar?.string ?? "a non-scalar key"
                throw OCIError(.invalidJSON, "\(path)\(line): unknown key '\(MessageText.escaped(name))'; the keys are \(keys.joined(separator: ", "))")
            }
            guard case .scalar(let scalar) = value else { throw OCIError(.invalidJSON, "\(path)\(line): \(key.string) must be a single value") }
            guard settings.updateValue(scalar.string, forKey: key.string) == nil else {
                throw OCIError(.invalidJSON, "\(path)\(line): \(key.string) is given twice")
            }
        }
        return settings
    }
}
