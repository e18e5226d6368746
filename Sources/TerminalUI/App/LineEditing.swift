/// The keys a one-line text box in a pop-up takes (a note, a reason, a To).
enum LineEditing {
    /// Applies an editing key to `text`: Backspace deletes the last character, Ctrl-U clears,
    /// a printable character is appended while the text is shorter than `limit`. Returns
    /// whether the key was an editing key (the caller then drops any confirmation or error).
    static func apply(_ key: Key, to text: inout String, limit: Int) -> Bool {
        switch key {
        case .backspace:
            if !text.isEmpty { text.removeLast() }
            return true
        case .control("u"):
            text = ""
            return true
        case .character(let character):
            guard !character.isNewline, character.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) else { return false }
            if text.count < limit { text.append(character) }
            return true
        default:
            return false
        }
    }
}
