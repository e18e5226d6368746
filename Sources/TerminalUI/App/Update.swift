import AuditCore

/// The pure heart of the app: the next state, and the effects to run, for a message.
///
/// Nothing here reads the clock, the store or the terminal; effects come back later as
/// messages. Text is measured in the state's ``AppState/charset`` (as ``view(_:)`` draws it),
/// so mouse clicks and scroll limits match the screen.
public func update(_ state: AppState, _ message: Message) -> (AppState, [Effect]) {
    ScreenCharset.$current.withValue(state.charset) {
        var next = state
        let effects = next.receive(message)
        return (next, effects)
    }
}

extension AppState {
    /// Ticks (about 500 ms each) between reads of the hand-over health: every 5 seconds.
    static let handOverCheckTicks = 10

    /// Applies a message in place and returns the effects it asks for.
    mutating func receive(_ message: Message) -> [Effect] {
        switch message {
        case .started:
            checkingChangeToken = true
            checkingHandOver = true
            return [.probeStore(accountID: accountID), .loadStaff(accountID: accountID)]
                + reloadListAndCounts(resetWindow: true) + [.checkChangeToken, .checkHandOver(accountID: accountID)]
                + notificationEffects()
        case .key(.mouse(let event)), .mouse(let event):
            return handleMouse(event)
        case .key(let key):
            // Typed ahead of the export pop-up: kept for it (Ctrl-C still quits at once).
            if preparingExport, key != .control("c") {
                keysTypedAhead.append(key)
                return []
            }
            return handleKey(key)
        case .resize(let newSize):
            size = newSize
            relayout()
            return prefetch()
        case .tick:
            var effects: [Effect] = []
            ticksSinceHandOverCheck += 1
            if !checkingHandOver, ticksSinceHandOverCheck >= Self.handOverCheckTicks {
                checkingHandOver = true
                ticksSinceHandOverCheck = 0
                effects.append(.checkHandOver(accountID: accountID))
            }
            guard !checkingChangeToken else { return effects }
            checkingChangeToken = true
            return [.checkChangeToken] + effects
        case .handOverHealthLoaded(let health):
            checkingHandOver = false
            handOverHealth = health
            return []
        case .changeTokenLoaded(let token):
            checkingChangeToken = false
            let previous = changeToken
            changeToken = token
            guard let previous, previous != token else { return [] }
            return refresh()
        case .pageLoaded(let request, let rows):
            return pageLoaded(request, rows)
        case .countsLoaded(let answerGeneration, let newCounts):
            if answerGeneration == generation { counts = newCounts }
            return []
        case .detailLoaded(let emailID, let detail):
            for index in screens.indices {
                if case .detail(var popup) = screens[index], popup.emailID == emailID {
                    popup.detail = detail
                    popup.loaded = true
                    popup.scroll = min(popup.scroll, maxDetailScroll(popup))
                    screens[index] = .detail(popup)
                }
            }
            return []
        case .unitsLoaded(let address, let rows):
            for index in screens.indices {
                if case .unitSearch(var search) = screens[index], search.address == address {
                    search.rows = rows
                    search.selected = min(search.selected, max(0, rows.count - 1))
                    screens[index] = .unitSearch(search)
                }
            }
            return []
        case .messageFound(let messageID, let ids):
            return messageFound(messageID, ids: ids)
        case .domainsLoaded(let forFilter, let rows):
            domainsLoaded(forFilter, rows)
            return []
        case .staffLoaded(let people):
            staff = people.sorted { $0.name.localizedCaseInsensitiveCompare($1.name) == .orderedAscending }
            return []
        case .storeProbed(let hasEmails):
            let had = storeHasEmails
            storeHasEmails = hasEmails
            if !hasEmails, screens.first == .audit {
                screens = [.emptyStore]
                focus = .list
            } else if hasEmails, screens.first == .emptyStore {
                screens[0] = .audit
                if had == false { return reloadListAndCounts(resetWindow: true) + [.loadStaff(accountID: accountID)] }
            }
            return []
        case .exportPrepared(let format, let today):
            preparingExport = false
            var effects = openExportDialog(format, today: today)
            let typed = keysTypedAhead
            keysTypedAhead = []
            for key in typed { effects += receive(.key(key)) }
            return effects
        case .exportProgress(let jobID, let written, let elapsed):
            exportProgressed(jobID: jobID, written: written, elapsed: elapsed)
            return []
        case .exportFinished(let jobID, let result):
            exportFinished(jobID: jobID, result)
            return []
        case .accountsLoaded, .accountSelected, .suppressionsLoaded, .suppressionHistoryLoaded, .suppressionChanged:
            return receiveAccountOrSuppression(message)
        case .notificationsLoaded, .unreadCountLoaded, .widgetLoaded, .notificationsMarked, .preferencesLoaded, .preferencesSaved:
            return receiveNotificationMessage(message)
        case .resent(let outcome):
            return resent(outcome)
        case .resendRefused(let refusal):
            resendRefused(refusal)
            return []
        case .effectFailed(let effect, let text):
            switch effect {
            case .loadPage(let request):
                if request.purpose == .older { list.loadingOlder = false }
                if request.purpose == .newer { list.loadingNewer = false }
                if request.purpose == .first || request.purpose == .last { list.loaded = true }
            case .checkChangeToken:
                checkingChangeToken = false
            case .loadDomains:
                domainsLoaded(nil, [])
            case .checkHandOver:
                checkingHandOver = false
            case .loadDetail(let emailID):
                for index in screens.indices {
                    if case .detail(var popup) = screens[index], popup.emailID == emailID {
                        popup.loaded = true
                        screens[index] = .detail(popup)
                    }
                }
            case .searchUnits(let address):
                for index in screens.indices {
                    if case .unitSearch(var search) = screens[index], search.address == address, search.rows == nil {
                        search.rows = []
                        screens[index] = .unitSearch(search)
                    }
                }
            case .markNotificationsRead, .savePreferences, .loadNotifications, .loadPreferences, .loadWidget, .loadUnreadCount:
                notificationEffectFailed(effect)
                notice = Notice(TerminalText.singleLine(text), level: .error)
                return []
            case .resend:
                resendFailed(text)
                return []
            case .changeSuppression, .selectAccount:
                // A refusal (a staff user removing, an account not theirs) reads as itself.
                suppressionChangeFailed()
                notice = Notice(TerminalText.singleLine(text), level: .error)
                return []
            default:
                break
            }
            notice = Notice("Could not read the store: " + TerminalText.singleLine(text), level: .error)
            return []
        }
    }

    // MARK: Context

    /// Where a key goes right now.
    public var keyContext: KeyContext {
        switch topScreen {
        case .help: .help
        case .unitSearch: .unitSearch
        case .domains: .domains
        case .detail: .popup
        case .export: .exportDialog
        case .accountPicker: .accountPicker
        case .suppressions: .suppressionList
        case .suppressionPrompt: .suppressionPrompt
        case .workbench: .workbench
        case .preferences: .preferences
        case .resend(let prompt):
            switch prompt.step {
            case .askContacts: .resendQuestion
            case .refused: .resendRefused
            case .editing, .sending: .resendPrompt
            }
        case .emptyStore: .emptyStore
        case .audit:
            switch focus {
            case .list: .list
            case .bar: .filterBar
            case .field: .filter
            }
        }
    }

    /// The layout of the full screens at the current size.
    public var layout: ScreenLayout { ScreenLayout(size: size) }

    /// Rows in the list viewport.
    var listHeight: Int { layout.listHeight }

    /// Rows kept in memory: at least a viewport plus three pages, so loading never thrashes.
    var windowLimit: Int { max(maxWindowRows, listHeight + 3 * pageSize) }

    // MARK: Keys

    mutating func handleKey(_ key: Key) -> [Effect] {
        let context = keyContext
        if case .mouse(let event) = key { return handleMouse(event) }
        // While the terminal is too small only the message is drawn, so keys must not act on
        // screens nobody can see: q (as the message says), Q and Ctrl-C quit, Ctrl-L redraws.
        guard size.isLargeEnough else { return handleKeyWhileTooSmall(key) }
        // A notice stays until the next key.
        notice = nil
        if context == .filter {
            return handleFilterKey(key)
        }
        if context == .exportDialog {
            return handleExportKey(key)
        }
        if context == .suppressionPrompt {
            return handleSuppressionPromptKey(key)
        }
        if context == .preferences, key == .left {
            stepPreferenceBack()
            return []
        }
        if context == .resendPrompt || context == .resendQuestion || context == .resendRefused {
            return handleResendKey(key)
        }
        guard let binding = KeyTable.binding(for: key, in: context) else { return [] }
        return perform(binding.command, in: context)
    }

    /// Keys while "Terminal too small" is shown: quit or redraw; everything else waits.
    mutating func handleKeyWhileTooSmall(_ key: Key) -> [Effect] {
        switch key {
        case .character("q"), .character("Q"), .control("c"):
            shouldQuit = true
        case .control("l"):
            redrawRequests += 1
        default:
            break
        }
        return []
    }

    mutating func perform(_ command: Command, in context: KeyContext) -> [Effect] {
        switch command {
        case .quit, .quitNow:
            shouldQuit = true
            return []
        case .redraw:
            redrawRequests += 1
            return []
        case .help:
            if case .help = topScreen {
                screens.removeLast()
            } else {
                screens.append(.help(HelpState()))
            }
            return []
        case .refresh:
            notice = nil
            return refresh()
        case .workbench:
            return openWorkbench()
        default:
            break
        }
        switch context {
        case .list: return performInList(command)
        case .popup: return performInPopup(command)
        case .unitSearch: return performInUnitSearch(command)
        case .domains: return performInDomains(command)
        case .help: return performInHelp(command)
        case .filterBar: return performInFilterBar(command)
        case .suppressionList: return performInSuppressionList(command)
        case .accountPicker: return performInAccountPicker(command)
        case .workbench: return performInWorkbench(command)
        case .preferences: return performInPreferences(command)
        case .emptyStore: return command == .chooseAccount ? chooseAccount() : []
        case .filter, .exportDialog, .suppressionPrompt, .resendPrompt, .resendQuestion, .resendRefused: return []
        }
    }

    // MARK: Screens

    /// Pops the top screen (never the root).
    mutating func goBack() {
        if screens.count > 1 { screens.removeLast() }
    }

    /// Returns to the view saved by the last Unit Search Enter: its screens, filter, rows and
    /// selection, then re-reads its rows in place.
    mutating func goBackInHistory() -> [Effect] {
        guard let saved = history.popLast() else { return [] }
        screens = saved.screens
        filter = saved.filter
        list = saved.list
        list.loadingOlder = false
        list.loadingNewer = false
        counts = saved.counts
        focus = .list
        notice = nil
        generation += 1
        guard list.loaded else { return reloadListAndCounts(resetWindow: true) }
        return reloadWindow()
    }

    /// Opens Unit Search for an address.
    mutating func openUnitSearch(address: String) -> [Effect] {
        let bare = EmailAddress.bare(address)
        screens.append(.unitSearch(UnitSearchState(address: bare)))
        return [.searchUnits(address: bare)]
    }

    /// Re-reads what is on screen after the store changed (or F5).
    mutating func refresh() -> [Effect] {
        var effects: [Effect] = []
        if screens.first == .emptyStore || storeHasEmails != true {
            effects.append(.probeStore(accountID: accountID))
        }
        if screens.first == .audit {
            effects += list.loaded ? reloadWindow() : reloadListAndCounts(resetWindow: false)
        }
        for screen in screens {
            if case .detail(let popup) = screen { effects.append(.loadDetail(emailID: popup.emailID)) }
            if case .suppressions = screen { effects.append(.loadSuppressions(accountID: accountID)) }
            if case .workbench(let bench) = screen {
                effects += [.loadNotifications(accountID: accountID), .loadWidget(filter: bench.widgetFilter)]
            }
        }
        if hasNotifications { effects.append(.loadUnreadCount(accountID: accountID)) }
        return effects
    }

    /// Keeps scroll positions valid after a resize.
    mutating func relayout() {
        list.scrollToCursor(viewport: listHeight)
        for index in screens.indices {
            switch screens[index] {
            case .detail(var popup):
                popup.scroll = min(popup.scroll, maxDetailScroll(popup))
                screens[index] = .detail(popup)
            case .unitSearch(var search):
                search.top = UnitSearchState.clampedTop(search, height: listHeight)
                screens[index] = .unitSearch(search)
            case .domains(var breakdown):
                breakdown.top = DomainBreakdownState.clampedTop(breakdown, height: domainsViewportHeight)
                screens[index] = .domains(breakdown)
            case .help(var help):
                help.scroll = min(help.scroll, maxHelpScroll)
                screens[index] = .help(help)
            default:
                break
            }
        }
    }
}

extension UnitSearchState {
    /// A top row that keeps the selection within `height` rows.
    static func clampedTop(_ search: UnitSearchState, height: Int) -> Int {
        topKeeping(selected: search.selected, top: search.top, height: height)
    }
}

/// The first row to show of a list scrolled to `top` so that row `selected` stays within `height` rows.
func topKeeping(selected: Int, top: Int, height: Int) -> Int {
    var top = top
    if selected < top { top = selected }
    if selected >= top + height { top = selected - height + 1 }
    return max(0, top)
}
