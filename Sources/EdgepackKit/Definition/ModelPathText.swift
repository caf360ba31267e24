/// What a model path must be as text, before any file is looked at: not empty (it would name the definition's
/// own folder), and no NUL byte (the C library would read a shorter path than the one written).
enum ModelPathText {
    static func problem(_ path: String) -> String? {
        if path.isEmpty {
            return "model path is empty; name the model's file or folder relative to the definition's folder"
        }
        if path.utf8.contains(0) {
            return "model path '\(path)' contains a NUL byte; name the model's file or folder"
        }
        return nil
    }
}
