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

    /// Whether the Id column (the number `show` takes) is shown.
    public var showID: Bool
    /// Whether every row is from one day (Today, Yesterday): narrow lists then show the time only.
    public var singleDay: Bool

    public init(window: ListWindow, timeZone: TimeZone, focused: Bool, emptyText: [String],
                showID: Bool = false, singleDay: Bool = false) {
        self.window = window
        self.timeZone = timeZone
        self.focused = focused
        self.emptyText = emptyText
        self.showID = showID
        self.singleDay = singleDay
    }

    /// How dates are written in the list.
    public enum DateForm: Sendable, Hashable {
        /// "dd/mm/yyyy HH:mm".
        case full
        /// "dd/mm HH:mm".
        case short
        /// "HH:mm".
        case time

        var width: Int { self == .full ? 16 : self == .short ? 11 : 5 }
        var title: String { self == .time ? "Time" : self == .short ? "Date" : "Date/time" }
    }

    /// The date form at a width: below 100 columns the date shortens before To and Subject starve.
    public static func dateForm(width: Int, singleDay: Bool) -> DateForm {
        width >= 100 ? .full : singleDay ? .time : .short
    }

    /// The columns for a date form, with the Id column first when asked for.
    public static func columns(dateForm: DateForm, showID: Bool) -> [ColumnSpec] {
        var result = columns
        result[0] = ColumnSpec(dateForm.title, min: dateForm.width)
        if dateForm != .full {
            // Narrow lists: To and Subject keep enough to be read; Raised by drops before they starve.
            result[1].minWidth = 16
            result[2].minWidth = 14
        }
        if showID { result.insert(ColumnSpec("Id", min: 7), at: 0) }
        return result
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
        let form = SummaryList.dateForm(width: area.width, singleDay: singleDay)
        let start = min(window.top, window.rows.count)
        let visible = window.rows[start..<min(window.rows.count, start + max(0, height))]
        let rows: [[TableCell]] = visible.map { row in
            let date = form == .full ? format.dateTime(row.createdAt)
                : form == .short ? format.shortDateTime(row.createdAt) : format.time(row.createdAt)
            return (showID ? [TableCell(String(row.id), Style(.muted))] : []) + [
                TableCell(date, Style(.muted)),
                TableCell(SummaryList.cell(row.to)),
                row.activity == .external && row.subject.isEmpty
                    ? TableCell("(not recorded by this system)", Style(.warning))
                    : TableCell(SummaryList.cell(row.subject)),
                TableCell(SummaryList.cell(row.raisedByName)),
                TableCell(row.status.displayName, row.status.style),
                TableCell(row.activity == .external ? "Not recorded" : row.activity.displayName, Style(.muted)),
            ]
        }
        let selected = window.cursor - start
        var table = Table(columns: SummaryList.columns(dateForm: form, showID: showID), rows: rows,
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
