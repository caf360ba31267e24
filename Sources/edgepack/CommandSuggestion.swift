/// "did you mean": the subcommand nearest to a mistyped one, as git, helm and docker suggest.
enum CommandSuggestion {
    /// The error line for an unknown subcommand in `arguments` (the command line without the program), or nil
    /// when the first argument is an option or a known command.
    static func unknownCommand(in arguments: [String], known: [String]) -> String? {
        guard let first = arguments.first, !first.hasPrefix("-"), !known.contains(first), first != "help" else { return nil }
        let ranked = known.map { ($0, distance(first.lowercased(), $0)) }.sorted { ($0.1, $0.0) < ($1.1, $1.0) }
        let hint = "'edgepack --help' lists the commands"
        if let (nearest, edits) = ranked.first, edits <= max(2, nearest.count / 3) || nearest.hasPrefix(first.lowercased()) {
            return "unknown command '\(first)': did you mean '\(nearest)'? (\(hint))"
        }
        return "unknown command '\(first)' (\(hint))"
    }

    /// Levenshtein distance, with a swap of two neighbouring letters counted as one edit.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty, !b.isEmpty else { return max(a.count, b.count) }
        var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { table[i][0] = i }
        for j in 0...b.count { table[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1) }
            }
        }
        return table[a.count][b.count]
    }
}
