import AuditCore

extension AppState {
    // MARK: Workbench

    /// What the app loads for notifications when it starts: the unread count, and the Workbench
    /// when it opens on it.
    func notificationEffects() -> [Effect] {
        guard hasNotifications else { return [] }
        var effects: [Effect] = [.loadUnreadCount(accountID: accountID)]
        if case .workbench(let bench) = topScreen {
            effects += [.loadNotifications(accountID: accountID), .loadWidget(filter: bench.widgetFilter)]
        }
        return effects
    }

    /// `w`: the Workbench over the current screens (once: an open Workbench and what is above it close first).
    mutating func openWorkbench() -> [Effect] {
        if let index = screens.firstIndex(where: { if case .workbench = $0 { true } else { false } }) {
            screens.removeSubrange(index...)
        }
        if screens.isEmpty { screens = [.audit] }
        let bench = WorkbenchState(widgetFilter: EmailNotificationWidget.filter(accountID: accountID))
        screens.append(.workbench(bench))
        guard hasNotifications else {
            notice = Notice("Notifications are not available \(unavailableWhere).")
            return [.loadWidget(filter: bench.widgetFilter)]
        }
        return [.loadNotifications(accountID: accountID), .loadWidget(filter: bench.widgetFilter), .loadUnreadCount(accountID: accountID)]
    }

    /// Rows of notifications visible under the widget.
    var workbenchListHeight: Int { WorkbenchScreen.listHeight(in: layout) }

    mutating func performInWorkbench(_ command: Command) -> [Effect] {
        guard case .workbench(var bench) = topScreen else { return [] }
        let count = (bench.notifications?.count ?? 0) + 1
        let height = max(1, workbenchListHeight)
        switch command {
        case .back:
            goBack()
            return []
        case .open:
            if bench.selected == 0 {
                // The widget: the Email Audit on exactly the filter it counted.
                screens = [screens.first == .emptyStore ? .emptyStore : .audit]
                focus = .list
                history = []
                return applyFilter(bench.widgetFilter)
            }
            guard let item = bench.selectedNotification else { return [] }
            screens.append(.detail(DetailState(emailID: item.emailID)))
            var effects: [Effect] = [.loadDetail(emailID: item.emailID)]
            if item.isUnread {
                // Opening a notification reads it.
                effects.append(.markNotificationsRead(ids: [item.id], accountID: accountID))
            }
            return effects
        case .markRead:
            guard let item = bench.selectedNotification else {
                notice = Notice("Select a notification (↓) to mark it read; M marks them all.")
                return []
            }
            guard item.isUnread else { return [] }
            return [.markNotificationsRead(ids: [item.id], accountID: accountID)]
        case .markAllRead:
            guard bench.unread > 0 else {
                notice = Notice("No unread notifications.")
                return []
            }
            return [.markNotificationsRead(ids: nil, accountID: accountID)]
        case .editPreferences:
            guard hasNotifications else {
                notice = Notice("Notifications are not available \(unavailableWhere).", level: .error)
                return []
            }
            guard !isSupport else {
                notice = Notice("The support team gets no notifications: they go to the account's staff.")
                return []
            }
            screens.append(.preferences(PreferencesState()))
            return [.loadPreferences(accountID: accountID)]
        case .moveDown: bench.selected += 1
        case .moveUp: bench.selected -= 1
        case .pageDown: bench.selected += max(1, height - 1)
        case .pageUp: bench.selected -= max(1, height - 1)
        case .first: bench.selected = 0
        case .last: bench.selected = count - 1
        default: return []
        }
        bench.selected = max(0, min(bench.selected, count - 1))
        bench.top = WorkbenchState.clampedTop(bench, height: height)
        screens[screens.count - 1] = .workbench(bench)
        return []
    }

    // MARK: Preferences pane

    mutating func performInPreferences(_ command: Command) -> [Effect] {
        guard case .preferences(var pane) = topScreen else { return [] }
        defer { if case .preferences = topScreen { screens[screens.count - 1] = .preferences(pane) } }
        let rows = PreferencesState.rows
        switch command {
        case .back:
            screens.removeLast()
            notice = Notice("Preferences unchanged.")
        case .moveDown: pane.row = min(rows.count - 1, pane.row + 1)
        case .moveUp: pane.row = max(0, pane.row - 1)
        case .first, .pageUp: pane.row = 0
        case .last, .pageDown: pane.row = rows.count - 1
        case .toggle, .adjustValue:
            guard let draft = pane.draft, !pane.saving else { return [] }
            pane.draft = PreferencesState.step(draft, row: rows[pane.row], forward: true)
        case .apply:
            guard let draft = pane.draft, !pane.saving else { return [] }
            pane.saving = true
            return [.savePreferences(draft, accountID: accountID)]
        default:
            break
        }
        return []
    }

    /// ← on the preferences pane steps back (the table sends both arrows as one command).
    mutating func stepPreferenceBack() {
        guard case .preferences(var pane) = topScreen, let draft = pane.draft, !pane.saving else { return }
        pane.draft = PreferencesState.step(draft, row: PreferencesState.rows[pane.row], forward: false)
        screens[screens.count - 1] = .preferences(pane)
    }

    // MARK: Answers

    mutating func receiveNotificationMessage(_ message: Message) -> [Effect] {
        switch message {
        case .notificationsLoaded(let forAccount, let items):
            guard forAccount == accountID else { return [] }
            for index in screens.indices {
                if case .workbench(var bench) = screens[index] {
                    let keep = bench.selectedNotification?.id
                    bench.notifications = items
                    if let keep, let found = items.firstIndex(where: { $0.id == keep }) { bench.selected = found + 1 }
                    bench.selected = max(0, min(bench.selected, items.count))
                    bench.top = WorkbenchState.clampedTop(bench, height: max(1, workbenchListHeight))
                    screens[index] = .workbench(bench)
                }
            }
            unreadNotifications = items.filter(\.isUnread).count
            return []
        case .unreadCountLoaded(let forAccount, let count):
            if forAccount == accountID { unreadNotifications = count }
            return []
        case .widgetLoaded(let forFilter, let counts):
            for index in screens.indices {
                if case .workbench(var bench) = screens[index], bench.widgetFilter == forFilter {
                    bench.widget = counts
                    screens[index] = .workbench(bench)
                }
            }
            return []
        case .notificationsMarked(let forAccount):
            guard forAccount == accountID else { return [] }
            var effects: [Effect] = [.loadUnreadCount(accountID: accountID)]
            if screens.contains(where: { if case .workbench = $0 { true } else { false } }) {
                effects.append(.loadNotifications(accountID: accountID))
            }
            return effects
        case .preferencesLoaded(let preferences):
            if case .preferences(var pane) = topScreen, pane.draft == nil {
                pane.draft = preferences
                screens[screens.count - 1] = .preferences(pane)
            }
            return []
        case .preferencesSaved:
            if case .preferences = topScreen { screens.removeLast() }
            notice = Notice("Notification preferences saved; they apply to emails from now on.")
            return []
        default:
            return []
        }
    }

    /// A notification effect the store refused: the pane stops waiting; lists stop loading.
    mutating func notificationEffectFailed(_ effect: Effect) {
        switch effect {
        case .savePreferences:
            if case .preferences(var pane) = topScreen {
                pane.saving = false
                screens[screens.count - 1] = .preferences(pane)
            }
        case .loadNotifications:
            for index in screens.indices {
                if case .workbench(var bench) = screens[index], bench.notifications == nil {
                    bench.notifications = []
                    screens[index] = .workbench(bench)
                }
            }
        case .loadPreferences:
            if case .preferences = topScreen { screens.removeLast() }
        default:
            break
        }
    }
}

extension WorkbenchState {
    /// A top notification row that keeps the selection within `height` rows.
    static func clampedTop(_ bench: WorkbenchState, height: Int) -> Int {
        guard bench.selected >= 1 else { return 0 }
        return topKeeping(selected: bench.selected - 1, top: bench.top, height: height)
    }
}
