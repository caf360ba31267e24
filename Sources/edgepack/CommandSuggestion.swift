import EdgepackKit

/// "did you mean": the subcommand nearest to a mistyped one, as git, helm and docker suggest.
enum CommandSuggestion {
    /// The error line for an unknown subcommand in `arguments` (the command line without the program), or nil
    /// when the first argument is an option or a known command.
    static func unknownCommand(in arguments: [String], known: [String]) -> String? {
        guard let first = arguments.first, !first.hasPrefix("-"), !known.contains(first), first != "help" else { return nil }
        let ranked = known.map { ($0, EditDistance.between(first.lowercased(), $0)) }.sorted { ($0.1, $0.0) < ($1.1, $1.0) }
        let hint = "'edgepack --help' lists the commands"
        if let (nearest, edits) = ranked.first, edits <= max(2, nearest.count / 3) || nearest.hasPrefix(first.lowercased()) {
            return "unknown command '\(first)': did you mean '\(nearest)'? (\(hint))"
        }
        return "unknown command '\(first)' (\(hint))"
    }
}
