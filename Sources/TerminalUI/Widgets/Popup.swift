/// A framed box drawn over whatever is below it, with a title and a note on the right
/// of the top edge, and a scroll note on the bottom edge.
public struct Popup: Widget {
    public var title: String
    public var note: String
    /// "↑ more", "↓ more" or both, when content is hidden.
    public var scrollNote: String?

    public init(title: String, note: String = "", scrollNote: String? = nil) {
        self.title = title
        self.note = note
        self.scrollNote = scrollNote
    }

    /// A box of up to `width` × `height` in the middle of a screen of `size` (at least two
    /// columns clear each side and a row above and below).
    public static func centred(width: Int, height: Int, in size: TerminalSize) -> Rect {
        let w = min(width, size.width - 4), h = min(height, size.height - 2)
        return Rect(x: (size.width - w) / 2, y: max(1, (size.height - h) / 2), width: w, height: h)
    }

    /// The area inside the frame, with one column of padding on each side.
    public static func contentArea(of rect: Rect) -> Rect {
        Rect(x: rect.x + 2, y: rect.y + 1, width: rect.width - 4, height: rect.height - 2)
    }

    public func render(into buffer: inout Buffer, area: Rect) {
        buffer.fill(area)
        buffer.frame(area, title: title)
        if !note.isEmpty {
            let w = DisplayWidth.of(note) + 2
            if area.width > w + DisplayWidth.of(title) + 8 {
                buffer.put(" \(note) ", x: area.maxX - w - 2, y: area.y, style: Style(.muted))
            }
        }
        if let scrollNote {
            let w = DisplayWidth.of(scrollNote) + 2
            buffer.put(" \(scrollNote) ", x: area.maxX - w - 2, y: area.maxY - 1, style: Style(.accent))
        }
    }
}

/// Sections of text separated by headings, as styled lines.
enum Section {
    static func heading(_ text: String) -> StyledLine {
        StyledLine(text, Style(.header, bold: true))
    }
}
