/// A small value that draws itself into a rectangle of a buffer.
///
/// Widgets are built afresh for every frame from the app state and hold no state of
/// their own (the ratatui and Bubble Tea shape).
public protocol Widget {
    /// Draws into `area` of `buffer`, never outside it.
    func render(into buffer: inout Buffer, area: Rect)
}

/// A run of text in one style.
public struct Span: Sendable, Hashable {
    public var text: String
    public var style: Style

    public init(_ text: String, _ style: Style = .plain) {
        self.text = text
        self.style = style
    }
}

/// A line made of styled runs.
public struct StyledLine: Sendable, Hashable, ExpressibleByStringLiteral {
    public var spans: [Span]

    public init(_ spans: [Span] = []) {
        self.spans = spans
    }

    public init(_ text: String, _ style: Style = .plain) {
        spans = [Span(text, style)]
    }

    public init(stringLiteral value: String) {
        spans = [Span(value)]
    }

    /// Display width of the whole line.
    public var width: Int { spans.reduce(0) { $0 + DisplayWidth.of($1.text) } }

    /// Appends a run.
    public mutating func append(_ text: String, _ style: Style = .plain) {
        spans.append(Span(text, style))
    }

    /// Appends another line's runs.
    public mutating func append(_ line: StyledLine) {
        spans.append(contentsOf: line.spans)
    }

    /// The line padded with spaces (or cut) to exactly `columns`.
    public func padded(to columns: Int) -> StyledLine {
        let w = width
        if w > columns { return truncated(to: columns).padded(to: columns) }
        var copy = self
        if w < columns { copy.append(String(repeating: " ", count: columns - w)) }
        return copy
    }

    /// The line cut to `columns`, ending in "…" when cut; never splits a character.
    public func truncated(to columns: Int) -> StyledLine {
        guard width > columns else { return self }
        var result = StyledLine()
        var used = 0
        for span in spans {
            let w = DisplayWidth.of(span.text)
            if used + w <= columns - DisplayWidth.ellipsisWidth {
                result.spans.append(span)
                used += w
                continue
            }
            // More follows this span, so the cut is marked even when the span itself would fit.
            let cut = DisplayWidth.truncate(span.text + String(DisplayWidth.ellipsis), to: columns - used)
            result.spans.append(Span(cut, span.style))
            return result
        }
        return result
    }

    /// Draws the line at (`x`, `y`), at most `width` columns.
    public func render(into buffer: inout Buffer, x: Int, y: Int, width: Int) {
        var column = x
        let line = truncated(to: width)
        for span in line.spans {
            column += buffer.put(span.text, x: column, y: y, width: x + width - column, style: span.style)
        }
    }
}
