/// Word wrapping by display width.
///
/// Wrapping takes time linear in the length of the text, and with a line limit it stops
/// at the last line returned. For text of unbounded length (a stored subject may be
/// megabytes), wrap only ``head(of:lines:width:)``, so the cost is that of the lines shown.
public enum TextWrap {
    /// Splits one paragraph into lines of at most `width` columns, breaking at spaces
    /// where possible and between characters (never inside one) otherwise. At most
    /// `limit` lines are returned; ask for one more than you show to learn whether
    /// anything was left out.
    public static func wrap(_ text: String, width: Int, limit: Int = .max) -> [String] {
        guard width > 0, limit > 0 else { return [] }
        var lines: [String] = []
        var current = ""
        var currentWidth = 0
        var wordStart = text.startIndex
        while true {
            let wordEnd = text[wordStart...].firstIndex(of: " ") ?? text.endIndex
            var word = text[wordStart..<wordEnd]
            var w = DisplayWidth.of(word)
            if currentWidth > 0, currentWidth + 1 + w <= width {
                current += " "
                current += word
                currentWidth += 1 + w
            } else {
                if currentWidth > 0 || !current.isEmpty {
                    lines.append(current)
                    if lines.count >= limit { return lines }
                    current = ""
                    currentWidth = 0
                }
                while w > width {
                    let (head, headWidth) = longWordLine(word, width: width)
                    lines.append(String(head))
                    if lines.count >= limit { return lines }
                    word = word[head.endIndex...]
                    w -= headWidth
                }
                current = String(word)
                currentWidth = w
            }
            guard wordEnd < text.endIndex else { break }
            wordStart = text.index(after: wordEnd)
        }
        lines.append(current)
        return lines
    }

    /// The first line of a word wider than `width`, and its width: as many characters as
    /// fit, then moved back to a dot, @, -, / or _ when that keeps at least half the line
    /// (long addresses, message ids and host names break there, so ".co.uk" stays whole).
    /// Reads only about `width` characters of the word.
    static func longWordLine(_ word: Substring, width: Int) -> (Substring, Int) {
        var end = word.startIndex
        var headWidth = 0
        while end < word.endIndex {
            let w = DisplayWidth.of(word[end])
            if headWidth + w > width { break }
            headWidth += w
            end = word.index(after: end)
        }
        if end == word.startIndex {  // a wide glyph in a 1-column box
            end = word.index(after: end)
            return (word[..<end], DisplayWidth.of(word[word.startIndex]))
        }
        let head = word[..<end]
        if end < word.endIndex, word[end] != ".", let last = head.last, !"@-/_".contains(last),
           let (cut, cutWidth) = punctuationBreak(in: head, width: headWidth) {
            return (word[..<cut], cutWidth)
        }
        return (head, headWidth)
    }

    /// Where to break an over-long word `head` (of display width `width`): before the last
    /// dot, or after the last @ - / _, when that keeps at least half of the line; nil otherwise.
    /// Also returns the width of the part before the break.
    static func punctuationBreak(in head: Substring, width: Int) -> (String.Index, Int)? {
        var best: (String.Index, Int)?
        var column = 0
        var index = head.startIndex
        while index < head.endIndex {
            let character = head[index]
            let next = head.index(after: index)
            if character == ".", column * 2 >= width { best = (index, column) }
            column += DisplayWidth.of(character)
            if "@-/_".contains(character), column * 2 >= width, next < head.endIndex { best = (next, column) }
            index = next
        }
        return best
    }

    /// Wraps text that may hold several lines; each line is wrapped on its own. At most
    /// `limit` lines are returned.
    public static func wrapLines(_ lines: [String], width: Int, limit: Int = .max) -> [String] {
        var result: [String] = []
        for line in lines where result.count < limit {
            result += wrap(line, width: width, limit: limit - result.count)
        }
        return result
    }

    /// The start of `text` that is enough to fill `lines` lines of `width` columns (and to
    /// tell whether there is more): wrap this instead of a text of unbounded length.
    public static func head(of text: String, lines: Int, width: Int) -> Substring {
        text.prefix(2 * (lines + 2) * max(1, width) + 64)
    }
}
