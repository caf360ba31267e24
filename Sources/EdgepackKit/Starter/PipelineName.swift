import OCIKit

/// A valid pipeline name made from any folder name: lowercased, runs of other characters become one `-`.
public enum PipelineName {
    public static func suggestion(from folder: String) -> String {
        var name = ""
        for character in folder.lowercased() {
            if character.isASCII, character.isLetter || character.isNumber {
                name.append(character)
            } else if !name.isEmpty, name.last != "-" {
                name.append("-")
            }
        }
        while name.hasSuffix("-") { name.removeLast() }
        return ReferenceName.isComponent(Substring(name)) && !name.isEmpty ? String(name.prefix(64)) : "my-pipeline"
    }
}
