import AuditCore
import Foundation

/// The Email Audit list: one line per email in adaptive columns, drawn from the loaded
/// window only (the rows in the viewport).
public struct SummaryList: Widget {
    public var window: ListWindow
    public var timeZone: TimeZone
    /// Whether the list has the focus (the selection is drawn bright).
    public var focused: Bool
    /// Text shown when there is no row.
    public var emptyText: [String]

    public init(window: ListWindow, timeZone: TimeZone, focused: Bool, emptyText: [String]) {
        self.window = window
        self.timeZone = timeZone
        self.focused = focused
        self.emptyText = emptyText
    }

    /// The columns, most important kept longest: Activity drops first, then Raised by.
    public static let columns: [ColumnSpec] = [
        ColumnSpec("Date/time", min: 16),
        ColumnSpec("To", min: 11, ideal: 34, flex: 2),
        ColumnSpec("Subject", min: 12, ideal: 200, flex: 3),
        ColumnSpec("Raised by", min: 10, ideal: 18, dropOrder: 2, flex: 1),
        ColumnSpec("Status", min: 17),
        ColumnSpec("Activity", min: 13, dropOrder: 3),
    ]

    /// A field as a cell: its start (enough for any column; a stored field may be megabytes
    /// long), neutralised.
    static func cell(_ text: String) -> String {
        TerminalText.singleLine(String(text.prefix(1_000)))
    }

    /// Draws the heading in the first row of `area` and the rows below it.
    public func render(into buffer: inout Buffer, area: Rect) {
        let height = area.height - 1
        let format = UKDateFormat(timeZone: timeZone)
        let start = min(window.top, window.rows.count)
        let visible = window.rows[start..<min(window.rows.count, start + max(0, height))]
        let rows: [[TableCell]] = visible.map { row in
            [
                TableCell(format.dateTime(row.createdAt), Style(.muted)),
                TableCell(SummaryList.cell(row.to)),
                TableCell(SummaryList.cell(row.subject)),
                TableCell(SummaryList.cell(row.raisedByName)),
                TableCell(row.status.displayName, row.status.style),
                TableCell(row.activity.displayName, Style(.muted)),
            ]
        }
        let selected = window.cursor - start
        var table = Table(columns: SummaryList.columns, rows: rows,
                          selected: (0..<rows.count).contains(selected) ? selected : nil)
        if !focused { table.selected = nil }
        table.render(into: &buffer, area: area)
        if !focused, (0..<rows.count).contains(selected) {
            buffer.restyle(Rect(x: area.x, y: area.y + 1 + selected, width: area.width, height: 1)) { $0.underline = true }
        }
        if rows.isEmpty {
            for (offset, line) in emptyText.enumerated() {
                let y = area.y + 2 + offset
                guard y < area.maxY else { break }
                let w = DisplayWidth.of(line)
                buffer.put(line, x: area.x + max(1, (area.width - w) / 2), y: y, style: Style(offset == 0 ? .plain : .muted))
            }
        }
    }
}
