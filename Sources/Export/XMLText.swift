/// Escaping for XML text and attribute values.
enum XMLText {
    /// `text` with & < > " escaped and the characters XML 1.0 forbids replaced by U+FFFD
    /// (control characters are already neutralised upstream; this is the last line).
    static func escape(_ text: String) -> String {
        var needs = false
        for byte in text.utf8 where byte == 0x26 || byte == 0x3C || byte == 0x3E || byte == 0x22 || byte < 0x20 || byte == 0xEF {
            needs = true
            break
        }
        guard needs else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x26: out.append(contentsOf: "&amp;".unicodeScalars)
            case 0x3C: out.append(contentsOf: "&lt;".unicodeScalars)
            case 0x3E: out.append(contentsOf: "&gt;".unicodeScalars)
            case 0x22: out.append(contentsOf: "&quot;".unicodeScalars)
            case 0x09, 0x0A, 0x0D: out.append(scalar)
            case 0x00..<0x20, 0xFFFE, 0xFFFF: out.append("\u{FFFD}")
            default: out.append(scalar)
            }
        }
        return String(out)
    }
}
