/// Text from files and networks shown in a one-line message: control characters (a NUL byte, an escape
/// sequence, a newline) are written as `\u{…}` escapes, so a message stays one readable line and cannot
/// drive the terminal; and a value too long to read (a 50 MB name) is cut, saying how long it was.
public enum MessageText {
    /// A word (text between spaces) longer than this is shown as its first `keptCharacters` and its size.
    static let longestWord = 300
    static let keptCharacters = 80
    /// A line longer than this keeps its start and its end (where the remedy is), and says what was cut.
    static let longestLine = 4096

    public static func escaped(_ text: String) -> String {
        bounded(controlsEscaped(text))
    }

    static func controlsEscaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            if isControl(scalar) {
                out += "\\u{" + String(scalar.value, radix: 16) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// `name 'aaaa…(52428800 bytes)' is not …`: every over-long word cut, then the line if still too long.
    static func bounded(_ text: String) -> String {
        guard text.utf8.count > longestWord else { return text }
        let words = text.split(separator: " ", omittingEmptySubsequences: false).map { word -> Substring in
            guard word.unicodeScalars.count > longestWord else { return word }
            // Closing punctuation (`':` after a quoted value) is kept: the sentence around the value still reads.
            let closing = String(String.UnicodeScalarView(word.unicodeScalars.reversed().prefix { isClosing($0) }.prefix(3).reversed()))
            return Substring(String(word.unicodeScalars.prefix(keptCharacters)) + "…(\(word.utf8.count) bytes)" + closing)
        }
        let line = words.joined(separator: " ")
        let scalars = line.unicodeScalars
        guard scalars.count > longestLine else { return line }
        return String(scalars.prefix(longestLine / 2)) + " …(\(line.utf8.count) bytes in all)… " + String(scalars.suffix(longestLine / 4))
    }

    static func isClosing(_ scalar: Unicode.Scalar) -> Bool {
        "'\":;,.)]}".unicodeScalars.contains(scalar)
    }

    /// C0 and C1 controls and DEL (tabs included: a message is one line).
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7f...0x9f).contains(scalar.value)
    }
}
