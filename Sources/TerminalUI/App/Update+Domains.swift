import AuditCore

extension AppState {
    // MARK: Per-domain breakdown

    /// Rows of domains visible at once.
    var domainsViewportHeight: Int { DomainBreakdownView.viewportHeight(popupHeight: layout.popupRect.height) }

    /// Opens the breakdown of the list's filter (`D`).
    mutating func openDomainBreakdown() -> [Effect] {
        screens.append(.domains(DomainBreakdownState(filter: filter)))
        return [.loadDomains(filter: filter)]
    }

    /// Fills the breakdown that asked for these rows (nil: a failed load, fills any waiting one).
    mutating func domainsLoaded(_ forFilter: EmailFilter?, _ rows: [DomainFailures]) {
        for index in screens.indices {
            if case .domains(var breakdown) = screens[index], forFilter.map({ $0 == breakdown.filter }) ?? (breakdown.rows == nil) {
                breakdown.rows = rows
                breakdown.selected = min(breakdown.selected, max(0, rows.count - 1))
                breakdown.top = DomainBreakdownState.clampedTop(breakdown, height: domainsViewportHeight)
                screens[index] = .domains(breakdown)
            }
        }
    }

    mutating func performInDomains(_ command: Command) -> [Effect] {
        guard case .domains(var breakdown) = topScreen else { return [] }
        let count = breakdown.rows?.count ?? 0
        let page = max(1, domainsViewportHeight - 1)
        switch command {
        case .back:
            goBack()
            return []
        case .showDomain:
            guard let rows = breakdown.rows, rows.indices.contains(breakdown.selected) else { return [] }
            let domain = rows[breakdown.selected].domain
            // Esc from the list comes back here, with the list as it was underneath.
            history.append(SavedView(screens: screens, filter: filter, list: list, counts: counts))
            screens = [screens[0]]
            focus = .list
            notice = Notice("Emails to *@\(TerminalText.singleLine(domain)) · Esc goes back")
            var newFilter = breakdown.filter
            newFilter.accountID = accountID
            newFilter.to = .domain(domain)
            return applyFilter(newFilter)
        case .moveDown: breakdown.selected += 1
        case .moveUp: breakdown.selected -= 1
        case .pageDown: breakdown.selected += page
        case .pageUp: breakdown.selected -= page
        case .first: breakdown.selected = 0
        case .last: breakdown.selected = count - 1
        case .refresh:
            breakdown.rows = nil
            screens[screens.count - 1] = .domains(breakdown)
            return [.loadDomains(filter: breakdown.filter)]
        default: return []
        }
        breakdown.selected = max(0, min(breakdown.selected, count - 1))
        breakdown.top = DomainBreakdownState.clampedTop(breakdown, height: domainsViewportHeight)
        screens[screens.count - 1] = .domains(breakdown)
        return []
    }

    // MARK: Message-ID typed into To

    /// Opens the View of the email with the Message-ID (the first, when it went to several).
    mutating func messageFound(_ messageID: String, ids: [Int64]) -> [Effect] {
        guard let id = ids.first else {
            notice = Notice("No email has Message-ID <\(TerminalText.singleLine(messageID))>", level: .error)
            return []
        }
        notice = ids.count > 1 ? Notice("Message-ID <\(TerminalText.singleLine(messageID))> went to \(ids.count) recipients; showing the first") : nil
        screens.append(.detail(DetailState(emailID: id)))
        return [.loadDetail(emailID: id)]
    }
}

extension DomainBreakdownState {
    /// A top row that keeps the selection within `height` rows.
    static func clampedTop(_ state: DomainBreakdownState, height: Int) -> Int {
        topKeeping(selected: state.selected, top: state.top, height: height)
    }
}
