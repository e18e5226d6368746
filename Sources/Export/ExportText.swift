import AuditCore

/// ``TerminalText/singleLine(_:)`` with a fast path: text with no control character, no C1
/// control, no bidi control and no byte-order mark is returned as it is without rebuilding it.
enum ExportText {
    static func singleLine(_ text: String) -> String {
        needsNeutralising(text) ? TerminalText.singleLine(text) : text
    }

    /// Whether the text holds anything ``TerminalText`` would replace.
    static func needsNeutralising(_ text: String) -> Bool {
        var copy = text
        return copy.withUTF8 { bytes -> Bool in
            let count = bytes.count
            var index = 0
            while index < count {
                let byte = bytes[index]
                if byte < 0x20 || byte == 0x7F { return true }
                if byte >= 0xC2 {
                    let next = index + 1 < count ? bytes[index + 1] : 0
                    let third = index + 2 < count ? bytes[index + 2] : 0
                    switch byte {
                    case 0xC2 where next < 0xA0: return true                       // C1 controls
                    case 0xD8 where next == 0x9C: return true                      // U+061C arabic letter mark
                    case 0xE2 where next == 0x80 && (third == 0xA8 || third == 0xA9): return true  // U+2028, U+2029
                    case 0xE2 where next == 0x80 && (third == 0x8E || third == 0x8F || (0xAA...0xAE).contains(third)):
                        return true                                                 // LRM, RLM, embeddings
                    case 0xE2 where next == 0x81 && (0xA6...0xA9).contains(third): return true  // isolates
                    case 0xEF where next == 0xBB && third == 0xBF: return true      // U+FEFF
                    default: break
                    }
                }
                index += 1
            }
            return false
        }
    }
}
