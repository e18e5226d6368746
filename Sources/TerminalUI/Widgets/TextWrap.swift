/// Word wrapping by display width.
public enum TextWrap {
    /// Splits one paragraph into lines of at most `width` columns, breaking at spaces
    /// where possible and between characters (never inside one) otherwise.
    public static func wrap(_ text: String, width: Int) -> [String] {
        guard width > 0 else { return [] }
        var lines: [String] = []
        var current = ""
        var currentWidth = 0
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            var word = String(word)
            var w = DisplayWidth.of(word)
            if currentWidth > 0, currentWidth + 1 + w <= width {
                current += " " + word
                currentWidth += 1 + w
                continue
            }
            if currentWidth > 0 || !current.isEmpty {
                lines.append(current)
                current = ""
                currentWidth = 0
            }
            while w > width {
                var head = ""
                var headWidth = 0
                var rest = word[...]
                while let character = rest.first, headWidth + DisplayWidth.of(character) <= width {
                    head.append(character)
                    headWidth += DisplayWidth.of(character)
                    rest = rest.dropFirst()
                }
                if head.isEmpty, let character = rest.first {  // a wide glyph in a 1-column box
                    head.append(character)
                    rest = rest.dropFirst()
                }
                lines.append(head)
                word = String(rest)
                w = DisplayWidth.of(word)
            }
            current = word
            currentWidth = w
        }
        lines.append(current)
        return lines
    }

    /// Wraps text that may hold several lines; each line is wrapped on its own.
    public static func wrapLines(_ lines: [String], width: Int) -> [String] {
        lines.flatMap { wrap($0, width: width) }
    }
}
