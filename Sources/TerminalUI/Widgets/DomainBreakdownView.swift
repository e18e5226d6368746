import AuditCore

/// The per-domain breakdown pop-up (`D`): Failed, Complained and Rejected per recipient
/// domain for the list's filter, with each domain's share of those failures.
public struct DomainBreakdownView: Widget {
    public var state: DomainBreakdownState

    public init(state: DomainBreakdownState) {
        self.state = state
    }

    /// The columns; Complained and Rejected drop before the domain is starved.
    public static let columns: [ColumnSpec] = [
        ColumnSpec("Domain", min: 14, ideal: 30, flex: 1),
        ColumnSpec("Failed", min: 7),
        ColumnSpec("Complained", min: 10, dropOrder: 2),
        ColumnSpec("Rejected", min: 8, dropOrder: 1),
        ColumnSpec("Share", min: 6),
    ]

    /// Rows of domains visible in a pop-up of this height (frame, heading and footer taken off).
    public static func viewportHeight(popupHeight: Int) -> Int {
        max(1, popupHeight - 4)
    }

    /// "37.5%", or "<0.1%" for a share too small to show.
    public static func share(_ part: Int, of total: Int) -> String {
        guard total > 0 else { return "0%" }
        let percent = Double(part) * 100 / Double(total)
        if part > 0, percent < 0.1 { return "<0.1%" }
        return String(format: "%.1f%%", percent)
    }

    public func render(into buffer: inout Buffer, area: Rect) {
        buffer.fill(area)
        buffer.frame(area, title: "Failures by domain")
        let inner = area.inset(by: 1)
        guard inner.width > 2, inner.height > 2 else { return }
        let rows = state.rows ?? []
        let total = state.total
        let height = Self.viewportHeight(popupHeight: area.height)
        let top = min(state.top, max(0, rows.count - 1))
        let visible = rows.dropFirst(top).prefix(height).map { row -> [TableCell] in
            [
                TableCell(TerminalText.singleLine(row.domain)),
                TableCell(Count.text(row.failed), row.failed > 0 ? EmailStatus.failed.style : .plain),
                TableCell(Count.text(row.complained), row.complained > 0 ? EmailStatus.complained.style : .plain),
                TableCell(Count.text(row.rejected), row.rejected > 0 ? EmailStatus.rejected.style : .plain),
                TableCell(Self.share(row.total, of: total)),
            ]
        }
        let selected = state.selected - top
        Table(columns: Self.columns, rows: Array(visible), selected: (0..<visible.count).contains(selected) ? selected : nil)
            .render(into: &buffer, area: Rect(x: inner.x, y: inner.y, width: inner.width, height: height + 1))
        let footerY = inner.maxY - 1
        let footer: String
        if state.rows == nil {
            footer = "Counting…"
        } else if rows.isEmpty {
            footer = "No Failed, Complained or Rejected emails for this filter."
        } else {
            footer = "\(Count.text(total)) failures in \(Count.text(rows.count)) \(rows.count == 1 ? "domain" : "domains") · Enter: emails to the domain"
        }
        buffer.put(footer, x: inner.x + 1, y: footerY, width: inner.width - 2, style: Style(.muted))
        if top + height < rows.count || top > 0 {
            let mark = " \(state.selected + 1)/\(rows.count) "
            let w = DisplayWidth.of(mark)
            if area.width > w + 2 { buffer.put(mark, x: area.maxX - 1 - w, y: area.maxY - 1, style: Style(.muted)) }
        }
    }
}
