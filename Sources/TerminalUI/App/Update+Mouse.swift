import AuditCore

extension AppState {
    /// Clicks select, double-clicks open, the wheel scrolls, a click on a hint presses its key.
    mutating func handleMouse(_ event: MouseEvent) -> [Effect] {
        guard size.isLargeEnough else { return [] }
        let layout = self.layout
        if event.y == layout.hintRow, event.kind == .click || event.kind == .doubleClick {
            let hints = KeyHints.place(KeyTable.hints(in: keyContext), width: size.width)
            if let hit = hints.first(where: { $0.columns.contains(event.x) }), let key = hit.binding.keys.first {
                return handleKey(key)
            }
            return []
        }
        let wheel = event.kind == .wheelDown ? 3 : event.kind == .wheelUp ? -3 : 0
        switch topScreen {
        case .audit:
            return mouseOnAudit(event, wheel: wheel)
        case .detail:
            if wheel != 0 {
                for _ in 0..<abs(wheel) { _ = performInPopup(wheel > 0 ? .moveDown : .moveUp) }
            } else if !layout.popupRect.contains(column: event.x, row: event.y) {
                goBack()
            }
            return []
        case .unitSearch(var search):
            if wheel != 0 {
                for _ in 0..<abs(wheel) { _ = performInUnitSearch(wheel > 0 ? .moveDown : .moveUp) }
                return []
            }
            let area = layout.listArea
            guard area.contains(column: event.x, row: event.y), let rows = search.rows else { return [] }
            let index = search.top + event.y - area.y
            guard index < rows.count else { return [] }
            search.selected = index
            screens[screens.count - 1] = .unitSearch(search)
            return event.kind == .doubleClick ? performInUnitSearch(.showAddress) : []
        case .domains(var breakdown):
            if wheel != 0 {
                for _ in 0..<abs(wheel) { _ = performInDomains(wheel > 0 ? .moveDown : .moveUp) }
                return []
            }
            let rect = layout.popupRect
            guard rect.contains(column: event.x, row: event.y) else { goBack(); return [] }
            // Rows start under the frame and the heading.
            let index = breakdown.top + event.y - rect.y - 2
            guard let rows = breakdown.rows, event.y >= rect.y + 2, index < rows.count,
                  index - breakdown.top < domainsViewportHeight else { return [] }
            breakdown.selected = index
            screens[screens.count - 1] = .domains(breakdown)
            return event.kind == .doubleClick ? performInDomains(.showDomain) : []
        case .help:
            if wheel != 0 {
                for _ in 0..<abs(wheel) { _ = performInHelp(wheel > 0 ? .moveDown : .moveUp) }
            }
            return []
        case .workbench:
            if wheel != 0 {
                for _ in 0..<abs(wheel) { _ = performInWorkbench(wheel > 0 ? .moveDown : .moveUp) }
                return []
            }
            return mouseOnWorkbench(event)
        case .preferences:
            return []
        case .suppressions:
            if wheel != 0 {
                for _ in 0..<abs(wheel) { _ = performInSuppressionList(wheel > 0 ? .moveDown : .moveUp) }
            }
            return []
        case .accountPicker:
            if wheel != 0 {
                for _ in 0..<abs(wheel) { _ = performInAccountPicker(wheel > 0 ? .moveDown : .moveUp) }
            }
            return []
        case .emptyStore, .export, .suppressionPrompt, .resend:
            return []
        }
    }

    mutating func mouseOnAudit(_ event: MouseEvent, wheel: Int) -> [Effect] {
        let layout = self.layout
        if case .field(let field) = focus {
            if let rect = FilterDropdown.rect(for: field, state: self), rect.contains(column: event.x, row: event.y) {
                return clickInDropdown(field, rect: rect, event: event)
            }
            if wheel != 0 {
                moveHighlight(in: field, by: wheel > 0 ? 1 : -1)
                return []
            }
        }
        if event.y == layout.filterRow, event.kind == .click || event.kind == .doubleClick {
            let fields = FilterBar.place(state: self, width: size.width)
            if let hit = fields.first(where: { $0.columns.contains(event.x) }) {
                return beginEditing(hit.field)
            }
        }
        if case .field = focus {
            focus = .list
            return []
        }
        if case .bar = focus { focus = .list }
        if wheel != 0 {
            list.scroll(by: wheel, viewport: listHeight)
            return prefetch()
        }
        let area = layout.listArea
        guard area.contains(column: event.x, row: event.y) else { return [] }
        let index = list.top + event.y - area.y
        guard index < list.rows.count else { return [] }
        list.select(index: index, viewport: listHeight)
        var effects = prefetch()
        if event.kind == .doubleClick { effects += performInList(.open) }
        return effects
    }

    mutating func clickInDropdown(_ field: FilterField, rect: Rect, event: MouseEvent) -> [Effect] {
        let row = event.y - rect.y - FilterDropdown.firstChoiceRow(for: field)
        guard row >= 0 else { return [] }
        let index = FilterDropdown.scrollOffset(for: field, state: self, height: rect.height) + row
        switch field {
        case .status:
            guard index < FilterChoices.statusRows.count else { return [] }
            draft.statusHighlight = index
            toggleStatus()
            return []
        case .raisedBy:
            guard index <= raisedByMatches.count else { return [] }
            draft.raisedByHighlight = index
            return commit(field, explicit: true, then: .list)
        case .dateRange:
            guard index < FilterChoices.dateRows.count else { return [] }
            draft.dateHighlight = index
            return index == FilterChoices.customDateRow ? [] : commit(field, explicit: true, then: .list)
        case .to, .subject:
            return []
        }
    }
}

extension AppState {
    /// A click on the widget or a notification selects it; a double-click opens it.
    mutating func mouseOnWorkbench(_ event: MouseEvent) -> [Effect] {
        guard case .workbench(var bench) = topScreen, event.kind == .click || event.kind == .doubleClick else { return [] }
        let widgetRows = (layout.filterRow + 1)..<(layout.filterRow + 1 + WorkbenchScreen.widgetHeight)
        let firstRow = WorkbenchScreen.columnsRow(in: layout) + 1
        if widgetRows.contains(event.y) {
            bench.selected = 0
        } else if event.y >= firstRow, event.y < layout.statusRow {
            let index = bench.top + event.y - firstRow
            guard index < (bench.notifications?.count ?? 0) else { return [] }
            bench.selected = index + 1
        } else {
            return []
        }
        screens[screens.count - 1] = .workbench(bench)
        return event.kind == .doubleClick ? performInWorkbench(.open) : []
    }
}
