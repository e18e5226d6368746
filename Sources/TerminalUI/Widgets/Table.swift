/// A cell of a ``Table``.
public struct TableCell: Sendable, Hashable {
    public var text: String
    public var style: Style

    public init(_ text: String, _ style: Style = .plain) {
        self.text = text
        self.style = style
    }
}

/// Rows under a heading line, in adaptive columns, with a selected row.
///
/// Only the rows it is given are drawn: callers pass the visible slice, so the table
/// costs the same for ten rows or ten million.
public struct Table: Widget {
    public var columns: [ColumnSpec]
    /// The visible rows, top first.
    public var rows: [[TableCell]]
    /// Index in `rows` of the selected row, if visible.
    public var selected: Int?
    public var gap: Int

    public init(columns: [ColumnSpec], rows: [[TableCell]], selected: Int?, gap: Int = 1) {
        self.columns = columns
        self.rows = rows
        self.selected = selected
        self.gap = gap
    }

    /// Draws the heading in the first row of `area` and the rows below it.
    public func render(into buffer: inout Buffer, area: Rect) {
        guard area.height > 0 else { return }
        let widths = ColumnLayout.fit(columns, width: area.width - 1, gap: gap)
        buffer.fill(area.row(0), style: Style(.header, bold: true))
        var x = area.x + 1
        for (index, column) in columns.enumerated() {
            guard let w = widths[index] else { continue }
            buffer.put(column.title, x: x, y: area.y, width: w, style: Style(.header, bold: true))
            x += w + gap
        }
        for (offset, row) in rows.enumerated() where offset + 1 < area.height {
            let y = area.y + 1 + offset
            let isSelected = offset == selected
            if isSelected { buffer.fill(Rect(x: area.x, y: y, width: area.width, height: 1), style: Style(.selected)) }
            var x = area.x + 1
            for (index, cell) in row.enumerated() where index < columns.count {
                guard let w = widths[index] else { continue }
                var style = cell.style
                if isSelected { style = style.role == .plain || style.role == .muted ? Style(.selected) : style.reversed }
                buffer.put(cell.text, x: x, y: y, width: w, style: style)
                x += w + gap
            }
        }
    }
}
