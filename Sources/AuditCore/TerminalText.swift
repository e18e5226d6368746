import Foundation

/// Makes text from outside (subjects, bodies, provider messages, names) safe to draw.
///
/// Control characters (C0, DEL, C1), Unicode bidi controls and the Unicode line and
/// paragraph separators would move the cursor, ring the bell, reorder or break the screen;
/// each is replaced by a visible stand-in so the reader still sees that something was there.
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

    /// Neutralises a whole document written in pieces (a CSV file, a JSON array, a table):
    /// line ends (LF and CR LF) stay exactly as they are, every other control character is
    /// replaced as ``singleLine(_:)`` does.
    public static func document(_ text: String) -> String {
        if !text.unicodeScalars.contains(where: { $0 != "\n" && needsNeutralising($0) }) { return text }
        var out = String.UnicodeScalarView()
        var iterator = text.unicodeScalars.makeIterator()
        var pending = iterator.next()
        while let scalar = pending {
            let next = iterator.next()
            if scalar == "\n" || (scalar == "\r" && next == "\n") || !needsNeutralising(scalar) {
                out.append(scalar)
            } else {
                out.append(contentsOf: standIn(for: scalar, keepNewlines: false).unicodeScalars)
            }
            pending = next
        }
        return String(out)
    }

    /// Whether a scalar is one that must not reach a terminal raw: C0 (tab and line feed
    /// included), DEL, C1, a bidi control, the byte-order mark, or U+2028/U+2029.
    public static func needsNeutralising(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00..<0x20, 0x7F..<0xA0, 0x061C, 0x200E, 0x200F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069, 0xFEFF:
            return true
        default:
            return false
        }
    }

    /// Whether text holds nothing that ``needsNeutralising(_:)``.
    public static func isClean(_ text: some StringProtocol) -> Bool {
        !text.unicodeScalars.contains(where: needsNeutralising)
    }

    /// The visible stand-in for a scalar outside line handling (the scalar itself when safe).
    static func standIn(for scalar: Unicode.Scalar, keepNewlines: Bool) -> String {
        let v = scalar.value
        switch v {
        case 0x0A, 0x0D, 0x2028, 0x2029:
            return keepNewlines ? "\n" : " "
        case 0x09:
            return keepNewlines ? "    " : " "
        case 0x1B:
            return "\u{241B}"  // ␛
        case 0x00..<0x20:
            return String(Unicode.Scalar(0x2400 + v)!)  // control pictures ␀..␟
        case 0x7F:
            return "\u{2421}"  // ␡
        case 0x80..<0xA0, 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0xFEFF:
            return "\u{FFFD}"
        default:
            return String(scalar)
        }
    }

    static func neutralise(_ text: String, keepNewlines: Bool) -> String {
        if isClean(text) { return text }
        var out = String.UnicodeScalarView()
        var iterator = text.unicodeScalars.makeIterator()
        var pendingCR = false
        while let scalar = iterator.next() {
            let v = scalar.value
            if pendingCR {
                pendingCR = false
                if v == 0x0A { continue }
            }
            if v == 0x0D { pendingCR = true }
            if needsNeutralising(scalar) {
                out.append(contentsOf: standIn(for: scalar, keepNewlines: keepNewlines).unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }
}
