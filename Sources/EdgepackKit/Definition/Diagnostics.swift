import OCIKit
import Yams

/// One problem in a definition, located as `file:line:column`.
public struct Diagnostic: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String
    /// What the user can change, when the message states only the fact (the CLI words it).
    public var remedy: Remedy? = nil

    /// One line: control characters from the file (a NUL byte, an escape sequence) are shown escaped.
    public var description: String { "\(MessageText.escaped(file)):\(line):\(column): \(MessageText.escaped(message))" }
}

/// Every problem found in a definition (not just the first), in file order.
public struct DefinitionError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [Diagnostic]
    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}

/// Collects diagnostics while a definition is read.
final class DiagnosticCollector {
    let file: String
    private(set) var diagnostics: [Diagnostic] = []

    init(file: String) { self.file = file }

    func error(at node: Node?, _ message: String, remedy: Remedy? = nil) {
        error(at: node?.mark, message, remedy: remedy)
    }

    func error(at mark: Mark?, _ message: String, remedy: Remedy? = nil) {
        error(line: mark?.line ?? 1, column: mark?.column ?? 1, message, remedy: remedy)
    }

    func error(line: Int, column: Int, _ message: String, remedy: Remedy? = nil) {
        diagnostics.append(Diagnostic(file: file, line: line, column: column, message: message, remedy: remedy))
    }

    var sorted: [Diagnostic] {
        diagnostics.enumerated().sorted { ($0.element.line, $0.element.column, $0.offset) < ($1.element.line, $1.element.column, $1.offset) }.map(\.element)
    }
}
