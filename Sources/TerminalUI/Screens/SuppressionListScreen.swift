import AuditCore
import Foundation

/// The suppression list (`S`): the account's suppressed addresses with the kind, since when,
/// the provider's reason, how many later emails each blocked and any open removal request;
/// the selected entry's trail (`h`) below.
public struct SuppressionListScreen: Widget {
    public var list: SuppressionListState
    public var accountName: String
    public var timeZone: TimeZone
    public var isSupport: Bool
    /// A message for the second line (a change made or refused), in place of the keys' advice.
    public var notice: Notice?

    public init(list: SuppressionListState, accountName: String, timeZone: TimeZone, isSupport: Bool, notice: Notice? = nil) {
        self.list = list
        self.accountName = accountName
        self.timeZone = timeZone
        self.isSupport = isSupport
        self.notice = notice
    }

    /// The columns; the provider's reason drops first, then the request.
    public static let columns: [ColumnSpec] = [
        ColumnSpec("Since", min: 16, ideal: 16),
        ColumnSpec("Kind", min: 12, ideal: 12),
        ColumnSpec("Address", min: 20, ideal: 32, flex: 3),
        ColumnSpec("Blocked", min: 7, ideal: 7),
        ColumnSpec("Removal request", min: 16, ideal: 22, dropOrder: 1, flex: 1),
        ColumnSpec("Provider reason", min: 16, ideal: 40, dropOrder: 2, flex: 2),
    ]

    public func render(into buffer: inout Buffer, area: Rect) {
        let layout = ScreenLayout(size: TerminalSize(width: area.width, height: area.height))
        let format = UKDateFormat(timeZone: timeZone)
        HeaderLine(title: "Suppression list", facts: ["Addresses the provider will not send to"],
                   trailing: [TerminalText.singleLine(accountName)])
            .render(into: &buffer, area: area.row(layout.headerRow))
        let advice = isSupport ? " D removes the entry with a reason; r records a request; h shows its history"
                               : " r asks support to remove the entry (with a note); h shows its history"
        if let notice {
            buffer.put(" " + TerminalText.singleLine(notice.text), x: area.x, y: layout.filterRow, width: area.width,
                       style: Style(notice.level == .error ? .error : .ok, bold: true))
        } else {
            buffer.put(advice, x: area.x, y: layout.filterRow, width: area.width, style: Style(.muted))
        }

        let entries = list.entries ?? []
        let height = max(1, layout.listHeight - SuppressionListState.historyRows)
        let top = min(list.top, max(0, entries.count - 1))
        let visible = entries.dropFirst(top).prefix(height).map { entry -> [TableCell] in
            [
                TableCell(format.dateTime(entry.createdAt)),
                TableCell(entry.kind.displayName, Style(entry.kind == .complaint ? .error : .warning)),
                TableCell(TerminalText.singleLine(entry.address)),
                TableCell("\(entry.blockedEmails)"),
                TableCell(entry.removalRequest.map { "by " + TerminalText.singleLine($0.requestedBy) } ?? "—",
                          Style(entry.removalRequest == nil ? .muted : .accent)),
                TableCell(TerminalText.singleLine(entry.reason), Style(.muted)),
            ]
        }
        let selected = list.selected - top
        Table(columns: Self.columns, rows: Array(visible), selected: (0..<visible.count).contains(selected) ? selected : nil)
            .render(into: &buffer, area: Rect(x: area.x, y: layout.columnsRow, width: area.width, height: height + 1))
        if list.entries == nil {
            buffer.put("Loading…", x: area.x + 2, y: layout.listArea.y + 1, style: Style(.muted))
        } else if entries.isEmpty {
            buffer.put("No address of \(TerminalText.singleLine(accountName)) is suppressed.", x: area.x + 2, y: layout.listArea.y + 1)
        }
        renderHistory(into: &buffer, x: area.x, y: layout.columnsRow + height + 1, width: area.width,
                      rows: SuppressionListState.historyRows, format: format)

        buffer.fill(area.row(layout.statusRow))
        let blocked = entries.reduce(0) { $0 + $1.blockedEmails }
        let requests = entries.filter { $0.removalRequest != nil }.count
        let status = list.entries == nil ? "Loading…"
            : "\(Count.text(entries.count)) suppressed · \(Count.text(blocked)) later email\(blocked == 1 ? "" : "s") blocked · \(Count.text(requests)) removal request\(requests == 1 ? "" : "s") open"
        buffer.put(status, x: area.x + 1, y: layout.statusRow, width: area.width - 2, style: Style(.plain, bold: true))
    }

    /// The selected entry's request note and trail, in the rows under the list.
    func renderHistory(into buffer: inout Buffer, x: Int, y: Int, width: Int, rows: Int, format: UKDateFormat) {
        guard rows > 1, let entry = list.selectedEntry else { return }
        var lines: [StyledLine] = []
        if let history = list.history, list.historyAddress == entry.address {
            lines.append(Section.heading("History of " + TerminalText.singleLine(entry.address)))
            for item in history.suffix(rows - 1) {
                lines.append(StyledLine([Span(format.dateTime(item.at) + "  ", Style(.muted)),
                                         Span(item.action.displayName, Style(.label, bold: true)),
                                         Span(" by " + TerminalText.singleLine(item.by) + ": " + TerminalText.singleLine(item.note))]))
            }
        } else if let request = entry.removalRequest {
            lines.append(Section.heading("Removal requested by \(TerminalText.singleLine(request.requestedBy)), \(format.dateTime(request.requestedAt))"))
            lines.append(StyledLine(TerminalText.singleLine(request.note)))
        } else {
            lines.append(StyledLine("Enter views the email that put the address here; h shows who did what.", Style(.muted)))
        }
        for (index, line) in lines.prefix(rows).enumerated() {
            line.render(into: &buffer, x: x + 1, y: y + index, width: width - 2)
        }
    }
}
