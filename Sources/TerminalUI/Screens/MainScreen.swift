import AuditCore

/// The Email Audit screen: header, filter bar, summary list, status line.
public struct MainScreen: Widget {
    public var state: AppState

    public init(state: AppState) {
        self.state = state
    }

    public func render(into buffer: inout Buffer, area: Rect) {
        let layout = ScreenLayout(size: TerminalSize(width: area.width, height: area.height))
        HeaderLine(title: "Email Audit", facts: [FilterChoices.words(state.filter, staff: state.staff, width: area.width - 16),
                                                        state.history.isEmpty ? "" : "Esc back"], trailing: [
            state.showsLocaleNote ? HelpOverlay.localeNoteShort : "",
            TerminalText.singleLine(state.accountName),
            state.userName.isEmpty ? "" : "signed in as " + TerminalText.singleLine(state.userName) + (state.isSupport ? " (support)" : ""),
        ]).render(into: &buffer, area: area.row(layout.headerRow))
        FilterBar(state: state).render(into: &buffer, area: area.row(layout.filterRow))

        let listArea = Rect(x: area.x, y: layout.columnsRow, width: area.width, height: layout.listHeight + 1)
        let emptyText: [String]
        if !state.list.loaded {
            emptyText = ["Loading…"]
        } else if case .exact(let address) = state.filter.to, state.filter.dateRange != .all {
            let range = state.filter.dateRange.displayName.lowercased()
            emptyText = ["No emails to \(TerminalText.singleLine(address)) \(range == "today" ? "today" : "in " + range) — All dates?",
                         "Press a for All dates, u for Unit Search, c to clear the filters."]
        } else {
            emptyText = ["No emails match this filter.",
                         "Press c to clear the filters, or d to choose a wider date range."]
        }
        let singleDay = state.filter.dateRange == .today || state.filter.dateRange == .yesterday
        SummaryList(window: state.list, timeZone: state.timeZone, focused: state.focus == .list, emptyText: emptyText,
                    showID: state.showIDColumn, singleDay: singleDay)
            .render(into: &buffer, area: listArea)

        let loading = !state.list.loaded || state.list.loadingOlder && state.list.cursor >= state.list.rows.count - 1
        StatusLine(counts: state.counts, position: state.list.rows.isEmpty ? nil : state.list.selectedPosition,
                   loading: loading, notice: state.notice, filtered: state.filter.statuses,
                   warning: state.handOverHealth?.warning)
            .render(into: &buffer, area: area.row(layout.statusRow))

        if case .field(let field) = state.focus, let rect = FilterDropdown.rect(for: field, state: state) {
            FilterDropdown(state: state, field: field).render(into: &buffer, area: rect)
        }
    }
}
