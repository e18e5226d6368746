import AuditCore

extension AppState {
    // MARK: View pop-up

    /// Rows of pop-up content visible at once.
    var detailViewportHeight: Int { DetailPopup.viewportHeight(in: layout.popupRect) }

    /// The largest useful scroll of a pop-up at the current size.
    func maxDetailScroll(_ popup: DetailState) -> Int {
        guard let detail = popup.detail else { return 0 }
        let rect = layout.popupRect
        let content = DetailPopup.content(detail, width: DetailPopup.contentWidth(in: rect), timeZone: timeZone)
        return max(0, content.height - detailViewportHeight)
    }

    mutating func performInPopup(_ command: Command) -> [Effect] {
        guard case .detail(var popup) = topScreen else { return [] }
        let page = max(1, detailViewportHeight - 1)
        switch command {
        case .back:
            goBack()
            return []
        case .unitSearch:
            guard let email = popup.detail?.email else { return [] }
            return openUnitSearch(address: email.to)
        case .suppressionList:
            return openSuppressionList(at: popup.detail?.suppression?.address)
        case .resend:
            return openResend(popup)
        case .followResendLink:
            return followResendLink(popup)
        case .moveDown: popup.scroll += 1
        case .moveUp: popup.scroll -= 1
        case .pageDown: popup.scroll += page
        case .pageUp: popup.scroll -= page
        case .first: popup.scroll = 0
        case .last: popup.scroll = Int.max / 2
        default: return []
        }
        popup.scroll = max(0, min(popup.scroll, maxDetailScroll(popup)))
        screens[screens.count - 1] = .detail(popup)
        return []
    }

    // MARK: Unit Search

    mutating func performInUnitSearch(_ command: Command) -> [Effect] {
        guard case .unitSearch(var search) = topScreen else { return [] }
        let count = search.rows?.count ?? 0
        let height = listHeight
        switch command {
        case .back:
            goBack()
            return []
        case .showAddress:
            history.append(SavedView(screens: screens, filter: filter, list: list, counts: counts))
            screens = [screens[0]]
            focus = .list
            notice = Notice("Every email to \(search.address) · Esc goes back")
            var newFilter = EmailFilter(accountID: accountID)
            newFilter.to = AddressPattern(parsing: search.address)
            newFilter.dateRange = .all
            return applyFilter(newFilter)
        case .moveDown: search.selected += 1
        case .moveUp: search.selected -= 1
        case .pageDown: search.selected += max(1, height - 1)
        case .pageUp: search.selected -= max(1, height - 1)
        case .first: search.selected = 0
        case .last: search.selected = count - 1
        default: return []
        }
        search.selected = max(0, min(search.selected, count - 1))
        search.top = UnitSearchState.clampedTop(search, height: height)
        screens[screens.count - 1] = .unitSearch(search)
        return []
    }

    // MARK: Help

    /// Rows of help visible at once.
    var helpViewportHeight: Int { max(1, layout.helpRect.height - 2) }

    /// The largest useful scroll of the help screen.
    var maxHelpScroll: Int {
        max(0, HelpOverlay.lines(width: layout.helpRect.width - 4, localeNote: showsLocaleNote).count - helpViewportHeight)
    }

    mutating func performInHelp(_ command: Command) -> [Effect] {
        guard case .help(var help) = topScreen else { return [] }
        switch command {
        case .back:
            goBack()
            return []
        case .moveDown: help.scroll += 1
        case .moveUp: help.scroll -= 1
        case .pageDown: help.scroll += max(1, helpViewportHeight - 1)
        case .pageUp: help.scroll -= max(1, helpViewportHeight - 1)
        case .first: help.scroll = 0
        case .last: help.scroll = maxHelpScroll
        default: return []
        }
        help.scroll = max(0, min(help.scroll, maxHelpScroll))
        screens[screens.count - 1] = .help(help)
        return []
    }
}
