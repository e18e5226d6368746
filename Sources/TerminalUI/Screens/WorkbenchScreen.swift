import AuditCore
import Foundation

/// The Workbench (`w`): the Email Notification widget (yesterday's Failed, Complained,
/// Rejected and Unsubscribed emails of the account) above the user's notifications, newest
/// first, unread ones marked.
public struct WorkbenchScreen: Widget {
    public var bench: WorkbenchState
    public var accountName: String
    public var userName: String
    /// The day before the app's today (the widget's "yesterday").
    public var yesterday: CalendarDay
    public var timeZone: TimeZone
    /// Whether notifications are wired in.
    public var hasNotifications: Bool
    /// How "not available" ends when notifications are off ("here", "on a PostgreSQL store yet").
    public var unavailableWhere: String
    /// A message for the second line, in place of the keys' advice.
    public var notice: Notice?

    public init(bench: WorkbenchState, accountName: String, userName: String, yesterday: CalendarDay, timeZone: TimeZone,
                hasNotifications: Bool, unavailableWhere: String = "here", notice: Notice? = nil) {
        self.bench = bench
        self.accountName = accountName
        self.userName = userName
        self.yesterday = yesterday
        self.timeZone = timeZone
        self.hasNotifications = hasNotifications
        self.unavailableWhere = unavailableWhere
        self.notice = notice
    }

    /// The widget box: its frame, the counts and a note.
    static let widgetHeight = 4
    /// The row of the notifications' column headings.
    static func columnsRow(in layout: ScreenLayout) -> Int { layout.filterRow + 1 + widgetHeight }
    /// Rows of notifications visible.
    static func listHeight(in layout: ScreenLayout) -> Int { max(1, layout.statusRow - columnsRow(in: layout) - 1) }

    /// The columns; the reason drops first, then the subject.
    public static let columns: [ColumnSpec] = [
        ColumnSpec("", min: 1),
        ColumnSpec("When", min: 16, ideal: 16),
        ColumnSpec("Status", min: 12, ideal: 12),
        ColumnSpec("Email", min: 6, ideal: 7),
        ColumnSpec("To", min: 14, ideal: 30, flex: 2),
        ColumnSpec("Subject", min: 14, ideal: 40, dropOrder: 1, flex: 3),
        ColumnSpec("Why", min: 16, ideal: 40, dropOrder: 2, flex: 2),
    ]

    public func render(into buffer: inout Buffer, area: Rect) {
        let layout = ScreenLayout(size: TerminalSize(width: area.width, height: area.height))
        let format = UKDateFormat(timeZone: timeZone)
        HeaderLine(title: "Workbench", facts: [userName.isEmpty ? "" : "Notifications of " + TerminalText.singleLine(userName)],
                   trailing: [TerminalText.singleLine(accountName)])
            .render(into: &buffer, area: area.row(layout.headerRow))
        if let notice {
            buffer.put(" " + TerminalText.singleLine(notice.text), x: area.x, y: layout.filterRow, width: area.width,
                       style: Style(notice.level == .error ? .error : .ok, bold: true))
        } else {
            buffer.put(" Enter opens · m marks read · M marks all read · p preferences · Esc back", x: area.x, y: layout.filterRow,
                       width: area.width, style: Style(.muted))
        }
        renderWidget(into: &buffer, area: Rect(x: area.x, y: layout.filterRow + 1, width: area.width, height: Self.widgetHeight))

        let items = bench.notifications ?? []
        let height = Self.listHeight(in: layout)
        let top = min(bench.top, max(0, items.count - 1))
        let visible = items.dropFirst(top).prefix(height).map { item -> [TableCell] in
            let strong = item.isUnread ? Style(.plain, bold: true) : Style(.muted)
            return [
                TableCell(item.isUnread ? "*" : " ", Style(.accent, bold: true)),
                TableCell(format.dateTime(item.raisedAt), strong),
                TableCell(item.status.displayName, item.status.style),
                TableCell("#\(item.emailID)", strong),
                TableCell(TerminalText.singleLine(item.to), strong),
                TableCell(TerminalText.singleLine(item.subject), strong),
                TableCell(TerminalText.singleLine(item.reason), Style(.muted)),
            ]
        }
        let selected = bench.selected - 1 - top
        let columnsRow = Self.columnsRow(in: layout)
        Table(columns: Self.columns, rows: Array(visible), selected: (0..<visible.count).contains(selected) ? selected : nil)
            .render(into: &buffer, area: Rect(x: area.x, y: columnsRow, width: area.width, height: height + 1))
        if !hasNotifications {
            buffer.put("Notifications are not available \(unavailableWhere).", x: area.x + 2, y: columnsRow + 1, style: Style(.muted))
        } else if bench.notifications == nil {
            buffer.put("Loading…", x: area.x + 2, y: columnsRow + 1, style: Style(.muted))
        } else if items.isEmpty {
            buffer.put("No notifications: none of your emails became Failed, Complained, Rejected or Unsubscribed.",
                       x: area.x + 2, y: columnsRow + 1, width: area.width - 4)
        }

        buffer.fill(area.row(layout.statusRow))
        let unread = bench.unread
        let status = bench.notifications == nil ? "Loading…"
            : "\(Count.text(items.count)) notification\(items.count == 1 ? "" : "s") · \(Count.text(unread)) unread"
        buffer.put(status, x: area.x + 1, y: layout.statusRow, width: area.width - 2, style: Style(.plain, bold: true))
    }

    /// The Email Notification widget: the four counts (0 shown as 0) and where Enter goes.
    func renderWidget(into buffer: inout Buffer, area: Rect) {
        let focused = bench.selected == 0
        buffer.frame(area, title: "Email Notification · yesterday, \(yesterday)", style: Style(focused ? .accent : .border, bold: focused))
        let inner = Rect(x: area.x + 1, y: area.y + 1, width: area.width - 2, height: 1)
        if focused { buffer.fill(inner, style: Style(.selected)) }
        var line = StyledLine()
        for (index, status) in NotificationPreferences.notifiable.enumerated() {
            if index > 0 { line.append("   ", focused ? Style(.selected) : .plain) }
            let count = bench.widget.map { "\($0[status])" } ?? "…"
            line.append(status.displayName + " ", focused ? Style(.selected) : .plain)
            line.append(count, focused ? Style(.selected, bold: true) : Style(status.role, bold: true))
        }
        line.render(into: &buffer, x: inner.x + 1, y: inner.y, width: inner.width - 2)
        let total = bench.widget.map { counts in NotificationPreferences.notifiable.reduce(0) { $0 + counts[$1] } }
        let note = "Across \(TerminalText.singleLine(accountName))" + (total.map { ": \(Count.text($0)) in all" } ?? "")
            + " · Enter opens them in the Email Audit"
        buffer.put(note, x: inner.x + 1, y: inner.y + 1, width: inner.width - 2, style: Style(.muted))
    }
}

/// The notification preferences pane (`p` on the Workbench).
public struct PreferencesView: Widget {
    public var pane: PreferencesState

    public init(pane: PreferencesState) {
        self.pane = pane
    }

    /// A box in the middle of the screen.
    public static func rect(in size: TerminalSize) -> Rect {
        Popup.centred(width: 64, height: PreferencesState.rows.count + 6, in: size)
    }

    public func render(into buffer: inout Buffer, area: Rect) {
        Popup(title: "Notification preferences", note: "Enter save · Esc cancel").render(into: &buffer, area: area)
        let inner = Popup.contentArea(of: area)
        guard let draft = pane.draft else {
            buffer.put("Loading…", x: inner.x, y: inner.y, style: Style(.muted))
            return
        }
        buffer.put(pane.saving ? "Saving…" : "Space or ← → changes the highlighted line.", x: inner.x, y: inner.y, width: inner.width,
                   style: Style(.muted))
        let room = max(0, inner.height - 2)
        let top = max(0, pane.row - room + 1)
        for (offset, index) in PreferencesState.rows.indices.dropFirst(top).prefix(room).enumerated() {
            let y = inner.y + 2 + offset
            let selected = index == pane.row
            let style = selected ? Style(.selected, bold: true) : Style(.plain)
            buffer.fill(Rect(x: inner.x, y: y, width: inner.width, height: 1), style: style)
            let (label, value) = Self.describe(PreferencesState.rows[index], draft)
            let labelWidth = min(14, inner.width / 3)
            buffer.put(label, x: inner.x + 1, y: y, width: labelWidth, style: selected ? style : Style(.label, bold: true))
            buffer.put(value, x: inner.x + 2 + labelWidth, y: y, width: inner.width - labelWidth - 3, style: style)
        }
    }

    /// The label and value of a row ("Failed", "[x] notify me").
    static func describe(_ row: PreferencesState.Row, _ draft: NotificationPreferences) -> (String, String) {
        switch row {
        case .status(let status): (status.displayName, draft.statuses.contains(status) ? "[x] notify me" : "[ ] not notified")
        case .scope: ("Whose emails", draft.scope.displayName)
        case .delivery: ("Delivery", draft.delivery.displayName)
        case .digestHour: ("Digest at", String(format: "%02d:00", draft.digestHour) + (draft.delivery == .digest ? "" : " (for a digest)"))
        }
    }
}
