import AuditCore

/// Unit Search: every unit whose contacts use an address.
public struct UnitSearchScreen: Widget {
    public var search: UnitSearchState
    public var accountName: String

    public init(search: UnitSearchState, accountName: String) {
        self.search = search
        self.accountName = accountName
    }

    /// The columns; the email column (the address searched for) drops first.
    public static let columns: [ColumnSpec] = [
        ColumnSpec("Block", min: 10, ideal: 22, flex: 2),
        ColumnSpec("Unit", min: 6, ideal: 10, flex: 1),
        ColumnSpec("Address", min: 12, ideal: 40, dropOrder: 2, flex: 3),
        ColumnSpec("Contact", min: 12, ideal: 24, flex: 2),
        ColumnSpec("Role", min: 11, dropOrder: 3),
        ColumnSpec("Phone", min: 13, ideal: 15, dropOrder: 1),
        ColumnSpec("Email", min: 14, ideal: 32, dropOrder: 4, flex: 1),
    ]

    public func render(into buffer: inout Buffer, area: Rect) {
        let layout = ScreenLayout(size: TerminalSize(width: area.width, height: area.height))
        let address = TerminalText.singleLine(search.address)
        HeaderLine(title: "Unit Search", facts: ["Units using " + address], trailing: [TerminalText.singleLine(accountName)])
            .render(into: &buffer, area: area.row(layout.headerRow))
        StyledLine([Span(" Enter", Style(.hintKey, bold: true)), Span(" shows every email to this address (all dates) · "),
                    Span("Esc", Style(.hintKey, bold: true)), Span(" goes back")])
            .render(into: &buffer, x: area.x, y: layout.filterRow, width: area.width)

        let rows = search.rows ?? []
        let height = layout.listHeight
        let top = min(search.top, max(0, rows.count - 1))
        let visible = rows.dropFirst(top).prefix(height).map { row -> [TableCell] in
            [
                TableCell(TerminalText.singleLine(row.blockName)),
                TableCell(TerminalText.singleLine(row.unitName)),
                TableCell(TerminalText.singleLine(row.address), Style(.muted)),
                TableCell(TerminalText.singleLine(row.contactName)),
                TableCell(row.contactRole.displayName),
                TableCell(TerminalText.singleLine(row.phone)),
                TableCell(TerminalText.singleLine(row.email), Style(.muted)),
            ]
        }
        let selected = search.selected - top
        Table(columns: UnitSearchScreen.columns, rows: Array(visible),
              selected: (0..<visible.count).contains(selected) ? selected : nil)
            .render(into: &buffer, area: Rect(x: area.x, y: layout.columnsRow, width: area.width, height: height + 1))
        if search.rows == nil {
            buffer.put("Searching…", x: area.x + 2, y: layout.listArea.y + 1, style: Style(.muted))
        } else if rows.isEmpty {
            buffer.put("No unit has a contact using \(address).", x: area.x + 2, y: layout.listArea.y + 1)
            buffer.put("Enter still shows every email sent to it.", x: area.x + 2, y: layout.listArea.y + 2, style: Style(.muted))
        }
        buffer.fill(area.row(layout.statusRow))
        let count = rows.count
        let status = search.rows == nil ? "Searching…" : "\(Count.text(count)) \(count == 1 ? "unit contact uses" : "unit contacts use") \(address)"
        buffer.put(status, x: area.x + 1, y: layout.statusRow, width: area.width - 2, style: Style(.plain, bold: true))
    }
}
