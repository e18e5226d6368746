import AuditCore

/// A grid of cells that screens render into and the backend paints.
///
/// Text written with ``put(_:x:y:width:style:)`` is measured in display columns, clipped
/// to the grid, truncated with "…" at whole grapheme clusters, and neutralised (control
/// characters become visible stand-ins) as a last line of defence. A buffer in
/// ``ScreenCharset/ascii`` mode transliterates text before measuring and cutting it.
public struct Buffer: Sendable, Hashable {
    public let width: Int
    public let height: Int
    /// The characters text is drawn with (see ``ScreenCharset``).
    public let charset: ScreenCharset
    /// The cells, row by row.
    public private(set) var cells: [Cell]

    /// An empty buffer of the given size, drawing text in `charset` (the bound
    /// ``ScreenCharset/current`` unless given).
    public init(width: Int, height: Int, charset: ScreenCharset = ScreenCharset.current) {
        self.width = max(0, width)
        self.height = max(0, height)
        self.charset = charset
        cells = Array(repeating: .blank, count: self.width * self.height)
    }

    /// The whole buffer as a rectangle.
    public var area: Rect { Rect(x: 0, y: 0, width: width, height: height) }

    /// The cell at a position (a blank cell outside the grid).
    public subscript(x: Int, y: Int) -> Cell {
        guard x >= 0, y >= 0, x < width, y < height else { return .blank }
        return cells[y * width + x]
    }

    /// Fills a rectangle with spaces in a style.
    public mutating func fill(_ rect: Rect, style: Style = .plain) {
        for row in max(0, rect.y)..<min(height, rect.maxY) {
            for column in max(0, rect.x)..<min(width, rect.maxX) {
                setCell(x: column, y: row, Cell(grapheme: " ", width: 1, style: style))
            }
        }
    }

    /// Changes the style of every cell in a rectangle, keeping the text.
    public mutating func restyle(_ rect: Rect, _ change: (inout Style) -> Void) {
        for row in max(0, rect.y)..<min(height, rect.maxY) {
            for column in max(0, rect.x)..<min(width, rect.maxX) {
                change(&cells[row * width + column].style)
            }
        }
    }

    /// Writes one line of text at (`x`, `y`), at most `width` columns wide (to the right
    /// edge when nil). Text that does not fit ends in "…". Returns the columns written.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, width limit: Int? = nil, style: Style = .plain) -> Int {
        guard y >= 0, y < height, x < width else { return 0 }
        var available = min(limit ?? (width - x), width - x)
        var column = x
        if column < 0 {
            available += column
            column = 0
        }
        guard available > 0 else { return 0 }
        // Only the start of a long text can show: neutralise and measure that much, not megabytes.
        let shown = text.utf8.count > 4 * available + 256 ? String(text.prefix(available + 64)) : text
        let safe = Buffer.isClean(shown) ? shown : TerminalText.singleLine(shown)
        let start = column
        if charset == .ascii {
            // Transliterate first, then cut: every character of the result is one column.
            let fitted = DisplayWidth.truncateASCII(charset.form(safe), to: available)
            for scalar in fitted.unicodeScalars {
                setCell(x: column, y: y, Cell(grapheme: String(scalar), width: 1, style: style))
                column += 1
            }
            return column - start
        }
        let fitted = DisplayWidth.truncate(safe, to: available)
        let characters = fitted.unicodeScalars.contains(DisplayWidth.joiner)
            ? fitted.flatMap(DisplayWidth.drawnParts(of:)) : Array(fitted)
        for character in characters {
            let w = DisplayWidth.of(character)
            if w == 0 {
                // A lone zero-width scalar: attach it to the previous cell when possible.
                if column > start {
                    var head = column - 1
                    if cells[y * width + head].isContinuation, head > 0 { head -= 1 }
                    cells[y * width + head].grapheme.append(character)
                }
                continue
            }
            if column + w > start + available { break }
            setCell(x: column, y: y, Cell(grapheme: String(character), width: w, style: style))
            if w == 2 { setCell(x: column + 1, y: y, Cell(grapheme: "", width: 0, style: style)) }
            column += w
        }
        return column - start
    }

    /// Draws a frame around a rectangle with an optional title in the top edge.
    public mutating func frame(_ rect: Rect, title: String? = nil, style: Style = Style(.border)) {
        guard rect.width >= 2, rect.height >= 2 else { return }
        let horizontal = String(repeating: "─", count: rect.width - 2)
        put("┌" + horizontal + "┐", x: rect.x, y: rect.y, width: rect.width, style: style)
        put("└" + horizontal + "┘", x: rect.x, y: rect.maxY - 1, width: rect.width, style: style)
        for row in (rect.y + 1)..<(rect.maxY - 1) {
            put("│", x: rect.x, y: row, width: 1, style: style)
            put("│", x: rect.maxX - 1, y: row, width: 1, style: style)
        }
        if let title, rect.width > 6 {
            put(" \(title) ", x: rect.x + 2, y: rect.y, width: rect.width - 4, style: Style(.header, bold: true))
        }
    }

    /// Copies the rows `sourceRows` of another buffer to (`x`, `y`), clipped to this grid.
    public mutating func blit(_ source: Buffer, sourceRows: Range<Int>, x: Int, y: Int) {
        for (offset, sourceRow) in sourceRows.enumerated() where sourceRow >= 0 && sourceRow < source.height {
            let row = y + offset
            guard row >= 0, row < height else { continue }
            for column in 0..<source.width {
                let target = x + column
                guard target >= 0, target < width else { continue }
                let cell = source[column, sourceRow]
                if cell.width == 2, target + 1 >= width {
                    setCell(x: target, y: row, Cell(grapheme: " ", width: 1, style: cell.style))
                } else {
                    setCell(x: target, y: row, cell)
                }
            }
        }
    }

    /// The text of the grid: rows joined by "\n", continuation cells omitted.
    public var text: String {
        lines.joined(separator: "\n")
    }

    /// The text of each row (continuation cells omitted).
    public var lines: [String] {
        (0..<height).map { row in
            var line = ""
            for column in 0..<width {
                let cell = cells[row * width + column]
                if !cell.isContinuation { line += cell.grapheme }
            }
            return line
        }
    }

    /// Runs of non-plain style per row, as "row: from-to style" lines (for snapshots).
    public var styleRuns: [String] {
        var result: [String] = []
        for row in 0..<height {
            var runs: [String] = []
            var column = 0
            while column < width {
                let style = cells[row * width + column].style
                var end = column
                while end + 1 < width, cells[row * width + end + 1].style == style { end += 1 }
                if style != .plain { runs.append("\(column)-\(end) \(style.code)") }
                column = end + 1
            }
            if !runs.isEmpty { result.append("\(row): " + runs.joined(separator: ", ")) }
        }
        return result
    }

    /// Replaces one cell, repairing any wide glyph it overlaps.
    mutating func setCell(x: Int, y: Int, _ cell: Cell) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let index = y * width + x
        let old = cells[index]
        if old.isContinuation, x > 0, cells[index - 1].width == 2 {
            cells[index - 1] = Cell(grapheme: " ", width: 1, style: cells[index - 1].style)
        }
        if old.width == 2, cell.width != 2, x + 1 < width, cells[index + 1].isContinuation {
            cells[index + 1] = Cell(grapheme: " ", width: 1, style: old.style)
        }
        if cell.width == 2, x + 1 >= width {
            cells[index] = Cell(grapheme: " ", width: 1, style: cell.style)
            return
        }
        cells[index] = cell
    }

    /// Whether text holds no control character (fast path before neutralising).
    static func isClean(_ text: String) -> Bool {
        TerminalText.isClean(text)
    }
}
