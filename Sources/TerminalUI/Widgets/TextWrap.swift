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
                } else if let next = rest.first, next != ".", let last = head.last, !"@-/_".contains(last),
                          let cut = punctuationBreak(in: head, width: headWidth) {
                    // Long addresses, message ids and host names break at a dot, @, -, / or _
                    // (".co.uk" stays whole) rather than wherever the width runs out.
                    rest = head[cut...] + rest
                    head = String(head[..<cut])
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

    /// Where to break an over-long word `head` (of display width `width`): before the last
    /// dot, or after the last @ - / _, when that keeps at least half of the line; nil otherwise.
    static func punctuationBreak(in head: String, width: Int) -> String.Index? {
        var best: String.Index?
        var column = 0
        var index = head.startIndex
        while index < head.endIndex {
            let character = head[index]
            let next = head.index(after: index)
            if character == ".", column * 2 >= width { best = index }
            column += DisplayWidth.of(character)
            if "@-/_".contains(character), column * 2 >= width, next < head.endIndex { best = next }
            index = next
        }
        return best
    }

    /// Wraps text that may hold several lines; each line is wrapped on its own.
    public static func wrapLines(_ lines: [String], width: Int) -> [String] {
        lines.flatMap { wrap($0, width: width) }
    }
}
