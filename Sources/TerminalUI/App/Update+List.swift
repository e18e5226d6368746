import AuditCore

extension AppState {
    // MARK: Loading the list

    /// Starts the list again from the newest row and reloads the counts.
    mutating func reloadListAndCounts(resetWindow: Bool) -> [Effect] {
        if resetWindow {
            let keep = list.selectedID
            list = ListWindow()
            list.selectedID = keep
        }
        list.loadingOlder = true
        return [firstPageEffect(), .loadCounts(generation: generation, filter: filter)]
    }

    /// Reloads the rows of the window in place (same filter), and the counts.
    mutating func reloadWindow() -> [Effect] {
        let limit = min(max(list.rows.count, pageSize), windowLimit)
        let cursor: EmailCursor? = list.atNewest || list.rows.isEmpty
            ? nil
            : EmailCursor(createdAt: list.rows[0].createdAt, id: list.rows[0].id + 1)
        let request = PageRequest(purpose: .reload, generation: generation, filter: filter, cursor: cursor,
                                  direction: .older, limit: limit)
        return [.loadPage(request), .loadCounts(generation: generation, filter: filter)]
    }

    func firstPageEffect() -> Effect {
        .loadPage(PageRequest(purpose: .first, generation: generation, filter: filter, cursor: nil,
                              direction: .older, limit: pageSize))
    }

    /// Applies a new filter: a new generation, the window from the top, new counts.
    /// The selection stays on the same email if it still matches.
    mutating func applyFilter(_ newFilter: EmailFilter) -> [Effect] {
        var scoped = newFilter
        scoped.accountID = accountID
        filter = scoped
        generation += 1
        counts = nil
        return reloadListAndCounts(resetWindow: true)
    }

    mutating func pageLoaded(_ request: PageRequest, _ rows: [EmailSummary]) -> [Effect] {
        guard request.generation == generation, request.filter == filter else { return [] }
        let height = listHeight
        switch request.purpose {
        case .first:
            list.replaceWithFirst(rows, limit: request.limit, viewport: height)
        case .last:
            list.replaceWithLast(rows, limit: request.limit, total: counts?.total, viewport: height)
        case .older:
            list.appendOlder(rows, limit: request.limit, maxRows: windowLimit, viewport: height)
        case .newer:
            list.prependNewer(rows, limit: request.limit, maxRows: windowLimit, viewport: height)
        case .reload:
            list.replaceWithReload(rows, fromNewest: request.cursor == nil, limit: request.limit, viewport: height)
        }
        return prefetch()
    }

    /// Loads the pages needed around the viewport.
    mutating func prefetch() -> [Effect] {
        let (older, newer) = list.neededPages(margin: pageSize, viewport: listHeight)
        var effects: [Effect] = []
        if let older {
            list.loadingOlder = true
            effects.append(.loadPage(PageRequest(purpose: .older, generation: generation, filter: filter,
                                                 cursor: older, direction: .older, limit: pageSize)))
        }
        if let newer {
            list.loadingNewer = true
            effects.append(.loadPage(PageRequest(purpose: .newer, generation: generation, filter: filter,
                                                 cursor: newer, direction: .newer, limit: pageSize)))
        }
        return effects
    }

    // MARK: List commands

    mutating func performInList(_ command: Command) -> [Effect] {
        let height = listHeight
        switch command {
        case .moveDown:
            list.move(by: 1, viewport: height)
            return prefetch()
        case .moveUp:
            list.move(by: -1, viewport: height)
            return prefetch()
        case .pageDown:
            list.move(by: max(1, height - 1), viewport: height)
            return prefetch()
        case .pageUp:
            list.move(by: -max(1, height - 1), viewport: height)
            return prefetch()
        case .first:
            if list.atNewest || !list.loaded {
                list.select(index: 0, viewport: height)
                return prefetch()
            }
            list.selectedID = nil
            generation += 1
            let keepCounts = counts
            let effects = reloadListAndCounts(resetWindow: true)
            counts = keepCounts
            return effects
        case .last:
            if list.atOldest || !list.loaded {
                list.select(index: list.rows.count - 1, viewport: height)
                return prefetch()
            }
            generation += 1
            list.loadingNewer = true
            list.loadingOlder = false
            return [.loadPage(PageRequest(purpose: .last, generation: generation, filter: filter, cursor: nil,
                                          direction: .newer, limit: pageSize)),
                    .loadCounts(generation: generation, filter: filter)]
        case .open:
            guard let row = list.selected else { return [] }
            screens.append(.detail(DetailState(emailID: row.id)))
            return [.loadDetail(emailID: row.id)]
        case .unitSearch:
            if let row = list.selected { return openUnitSearch(address: row.to) }
            if case .exact(let address) = filter.to { return openUnitSearch(address: address) }
            notice = Notice("Unit Search needs an email, or a whole address in To (/)")
            return []
        case .back:
            return goBackInHistory()
        case .toggleIDColumn:
            showIDColumn.toggle()
            return []
        case .problems:
            guard filter.statuses != EmailStatus.problemPreset else { return [] }
            var newFilter = filter
            newFilter.statuses = EmailStatus.problemPreset
            return applyFilter(newFilter)
        case .allDates:
            guard filter.dateRange != .all else { return [] }
            var newFilter = filter
            newFilter.dateRange = .all
            return applyFilter(newFilter)
        case .focusTo:
            return beginEditing(.to)
        case .focusSubject:
            return beginEditing(.subject)
        case .domainBreakdown:
            return openDomainBreakdown()
        case .focusStatus:
            return beginEditing(.status)
        case .focusRaisedBy:
            return beginEditing(.raisedBy)
        case .focusDateRange:
            return beginEditing(.dateRange)
        case .nextField:
            focus = .bar(.raisedBy)
            return []
        case .previousField:
            focus = .bar(.dateRange)
            return []
        case .clearFilters:
            notice = Notice("Filters cleared")
            focus = .list
            return applyFilter(EmailFilter(accountID: accountID))
        case .chooseAccount:
            return chooseAccount()
        case .suppressionList:
            return openSuppressionList(at: nil)
        case .exportExcel:
            return requestExport(.excel)
        case .exportPDF:
            return requestExport(.pdf)
        default:
            return []
        }
    }
}
