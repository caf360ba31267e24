/// What a model path must be as text, before any file is looked at: not empty, no NUL byte (the C library would
/// read a shorter path than the one written), and not the definition's own folder (it would pack the definition).
enum ModelPathText {
    static func problem(_ path: String) -> String? {
        if path.isEmpty {
            return "model path is empty; name the model's file or folder relative to the definition's folder"
        }
        if path.utf8.contains(0) {
            return "model path '\(path)' contains a NUL byte; name the model's file or folder"
        }
        if !path.hasPrefix("/"), isDefinitionFolder(path) {
            return "model path '\(path)' is the definition's own folder; name the model's file or folder inside it"
        }
        return nil
    }

    /// `.`, `./`, `a/..`: lexically the folder the path is relative to.
    private static func isDefinitionFolder(_ path: String) -> Bool {
        var depth = 0
        for component in path.split(separator: "/") where component != "." {
            depth += component == ".." ? -1 : 1
            if depth < 0 { return false }
        }
        return depth == 0
    }
}
