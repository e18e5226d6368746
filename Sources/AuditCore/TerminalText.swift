import Foundation

/// Makes text from outside (subjects, bodies, provider messages, names) safe to draw.
///
/// Control characters (C0, DEL, C1) and Unicode bidi controls would move the cursor,
/// ring the bell or reorder the screen; each is replaced by a visible stand-in so the
/// reader still sees that something was there.
public enum TerminalText {
    /// Neutralises every control character; newlines and tabs become spaces.
    public static func singleLine(_ text: String) -> String {
        neutralise(text, keepNewlines: false)
    }

    /// Neutralises control characters but keeps line breaks (for bodies and multi-line messages).
    public static func multiLine(_ text: String) -> String {
        neutralise(text, keepNewlines: true)
    }

    /// The lines of a multi-line text, each neutralised.
    public static func lines(_ text: String) -> [String] {
        multiLine(text).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    static func neutralise(_ text: String, keepNewlines: Bool) -> String {
        var out = String.UnicodeScalarView()
        var iterator = text.unicodeScalars.makeIterator()
        var pendingCR = false
        while let scalar = iterator.next() {
            let v = scalar.value
            if pendingCR {
                pendingCR = false
                if v == 0x0A { continue }
            }
            switch v {
            case 0x0A:
                out.append(keepNewlines ? scalar : " ")
            case 0x0D:
                out.append(keepNewlines ? "\n" : " ")
                pendingCR = true
            case 0x09:
                out.append(contentsOf: keepNewlines ? "    ".unicodeScalars : " ".unicodeScalars)
            case 0x1B:
                out.append("\u{241B}")  // ␛
            case 0x00..<0x20:
                out.append(Unicode.Scalar(0x2400 + v)!)  // control pictures ␀..␟
            case 0x7F:
                out.append("\u{2421}")  // ␡
            case 0x80..<0xA0, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0xFEFF:
                out.append("\u{FFFD}")
            default:
                out.append(scalar)
            }
        }
        return String(out)
    }
}
