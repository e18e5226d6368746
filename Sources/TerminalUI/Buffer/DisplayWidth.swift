/// Terminal display width of text, in columns, computed in pure Swift.
///
/// Width is measured per grapheme cluster (`Character`): East Asian Wide and Fullwidth
/// characters and emoji take two columns, combining marks and other zero-width scalars
/// take none, everything else one. Truncation never splits a cluster. In
/// ``ScreenCharset/ascii`` mode a character is as wide as its ASCII form.
public enum DisplayWidth {
    /// The ellipsis put where text was cut.
    public static let ellipsis: Character = "…"

    /// Columns taken by one grapheme cluster.
    public static func of(_ character: Character) -> Int {
        if !character.isASCII, ScreenCharset.current == .ascii { return asciiWidth(of: character) }
        let scalars = character.unicodeScalars
        guard let first = scalars.first else { return 0 }
        let value = first.value
        if value < 0x20 || (0x7F..<0xA0).contains(value) { return 0 }
        if scalars.count > 1, scalars.contains(joiner) {
            return drawnParts(of: character).reduce(0) { $0 + of($1) }
        }
        if isZeroWidth(first) { return 0 }
        if scalars.count > 1, scalars.contains(where: { $0.value == 0xFE0F }) { return 2 }
        if first.properties.isEmojiPresentation || isWide(value) { return 2 }
        return 1
    }

    /// Columns taken by a string.
    public static func of<S: StringProtocol>(_ text: S) -> Int {
        var total = 0
        for character in text { total += of(character) }
        return total
    }

    /// The longest prefix of `text` that fits in `width` columns, ending in "…" when cut.
    /// The result never splits a grapheme cluster and is at most `width` columns wide.
    /// In ``ScreenCharset/ascii`` mode the text is transliterated first and a cut ends in "...".
    /// Reads only as much of `text` as the width needs.
    public static func truncate(_ text: String, to width: Int) -> String {
        guard width > 0 else { return "" }
        if ScreenCharset.current == .ascii { return truncateASCII(ScreenCharset.ascii.form(text), to: width) }
        var used = 0
        var cut: String.Index?
        var index = text.startIndex
        while index < text.endIndex {
            let w = of(text[index])
            if cut == nil, used + w > width - 1 { cut = index }
            used += w
            if used > width { return String(text[..<cut!]) + String(ellipsis) }
            index = text.index(after: index)
        }
        return text
    }

    /// The zero width joiner, which glues emoji into one sequence (👨‍👩‍👧).
    static let joiner: Unicode.Scalar = "\u{200D}"

    /// How a grapheme cluster is drawn: an emoji ZWJ sequence as its parts without the
    /// joiners, each in its own cells, anything else as itself. Terminals disagree about
    /// joining such sequences (and curses cannot put one in a cell), but every terminal
    /// draws the parts alike, so widths and columns stay what the screen shows.
    public static func drawnParts(of character: Character) -> [Character] {
        let scalars = character.unicodeScalars
        guard scalars.count > 1, scalars.contains(joiner) else { return [character] }
        var parts: [Character] = []
        var piece = String.UnicodeScalarView()
        func flush() {
            if !piece.isEmpty { parts += Array(String(piece)) }
            piece = String.UnicodeScalarView()
        }
        for scalar in scalars {
            if scalar == joiner { flush() } else { piece.append(scalar) }
        }
        flush()
        return parts
    }

    /// `text` truncated to `width` columns and padded with spaces to exactly `width`.
    public static func fit(_ text: String, to width: Int) -> String {
        let cut = truncate(text, to: width)
        let missing = width - of(cut)
        return missing > 0 ? cut + String(repeating: " ", count: missing) : cut
    }

    /// Columns of a character in ``ScreenCharset/ascii`` mode: those of its ASCII form
    /// (kept line-drawing characters take one column each).
    static func asciiWidth(of character: Character) -> Int {
        ScreenCharset.ascii.form(String(character)).unicodeScalars.count
    }

    /// Columns the mark of a cut takes: 1 for "…", 3 for "..." in ``ScreenCharset/ascii`` mode.
    public static var ellipsisWidth: Int { ScreenCharset.current == .ascii ? 3 : 1 }

    /// Cuts text already in ASCII form (plus kept line drawing) to `width` columns, ending
    /// in "..." when cut (only dots when fewer than four columns are left).
    static func truncateASCII(_ text: String, to width: Int) -> String {
        let scalars = text.unicodeScalars
        guard width > 0 else { return "" }
        guard scalars.count > width else { return text }
        let dots = String(repeating: ".", count: min(3, width))
        var result = String.UnicodeScalarView(scalars.prefix(width - dots.count))
        result.append(contentsOf: dots.unicodeScalars)
        return String(result)
    }

    /// Unicode East Asian Width W/F ranges (plus common wide symbol blocks).
    static func isWide(_ value: UInt32) -> Bool {
        switch value {
        case 0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x23E9...0x23EC, 0x23F0, 0x23F3,
             0x25FD...0x25FE, 0x2614...0x2615, 0x2648...0x2653, 0x267F, 0x2693, 0x26A1, 0x26AA...0x26AB,
             0x26BD...0x26BE, 0x26C4...0x26C5, 0x26CE, 0x26D4, 0x26EA, 0x26F2...0x26F3, 0x26F5, 0x26FA,
             0x26FD, 0x2705, 0x270A...0x270B, 0x2728, 0x274C, 0x274E, 0x2753...0x2755, 0x2757,
             0x2795...0x2797, 0x27B0, 0x27BF, 0x2B1B...0x2B1C, 0x2B50, 0x2B55,
             0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
             0xA960...0xA97F, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F,
             0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x16FE0...0x16FE4, 0x17000...0x18AFF, 0x1B000...0x1B16F,
             0x1F004, 0x1F0CF, 0x1F18E, 0x1F191...0x1F19A, 0x1F200...0x1F251, 0x1F300...0x1F64F,
             0x1F680...0x1F6FF, 0x1F7E0...0x1F7EB, 0x1F900...0x1F9FF, 0x1FA70...0x1FAFF,
             0x20000...0x2FFFD, 0x30000...0x3FFFD:
            return true
        default:
            return false
        }
    }

    /// Combining marks, joiners, variation selectors and other scalars that take no column.
    static func isZeroWidth(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x200B...0x200F, 0x2028...0x202E, 0x2060...0x2064, 0xFE00...0xFE0F, 0xFEFF, 0x1160...0x11FF,
             0xE0100...0xE01EF:
            return true
        default:
            break
        }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return true
        default: return false
        }
    }
}
