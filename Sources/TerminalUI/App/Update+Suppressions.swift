import AuditCore

extension AppState {
    // MARK: Account picker

    /// `A`: support users get the picker; staff are told they work in their own account.
    mutating func chooseAccount() -> [Effect] {
        guard isSupport else {
            notice = Notice("Only support users choose an account; you work in \(TerminalText.singleLine(accountName)).")
            return []
        }
        return [.loadAccounts]
    }

    mutating func performInAccountPicker(_ command: Command) -> [Effect] {
        guard case .accountPicker(var picker) = topScreen else { return [] }
        let count = picker.accounts.count
        switch command {
        case .back:
            goBack()
            return []
        case .apply, .open:
            guard picker.accounts.indices.contains(picker.selected) else { return [] }
            return [.selectAccount(picker.accounts[picker.selected].id)]
        case .moveDown: picker.selected += 1
        case .moveUp: picker.selected -= 1
        case .first, .pageUp: picker.selected = 0
        case .last, .pageDown: picker.selected = count - 1
        default: return []
        }
        picker.selected = max(0, min(picker.selected, count - 1))
        screens[screens.count - 1] = .accountPicker(picker)
        return []
    }

    // MARK: Suppression list

    /// `S`: the account's suppression list, with the selection on `address` when given (from View).
    mutating func openSuppressionList(at address: String?) -> [Effect] {
        var state = SuppressionListState()
        state.historyAddress = address
        screens.append(.suppressions(state))
        return [.loadSuppressions(accountID: accountID)]
    }

    mutating func performInSuppressionList(_ command: Command) -> [Effect] {
        guard case .suppressions(var list) = topScreen else { return [] }
        let count = list.entries?.count ?? 0
        let height = max(1, listHeight - SuppressionListState.historyRows)
        switch command {
        case .back:
            goBack()
            return []
        case .open:
            guard let emailID = list.selectedEntry?.emailID else {
                notice = Notice("The provider's event for this entry is not linked to an email here.")
                return []
            }
            screens.append(.detail(DetailState(emailID: emailID)))
            return [.loadDetail(emailID: emailID)]
        case .showHistory:
            guard let entry = list.selectedEntry else { return [] }
            return [.loadSuppressionHistory(address: entry.address)]
        case .requestRemoval, .removeSuppression:
            guard let entry = list.selectedEntry else { return [] }
            guard canChangeSuppressions else {
                notice = Notice("Changing the suppression list is not available \(unavailableWhere).", level: .error)
                return []
            }
            if command == .removeSuppression, !isSupport {
                notice = Notice("Removing a suppression needs the support role; r asks support to remove it.", level: .error)
                return []
            }
            screens.append(.suppressionPrompt(SuppressionPromptState(change: command == .removeSuppression ? .remove : .request,
                                                                     address: entry.address)))
            return []
        case .moveDown: list.selected += 1
        case .moveUp: list.selected -= 1
        case .pageDown: list.selected += max(1, height - 1)
        case .pageUp: list.selected -= max(1, height - 1)
        case .first: list.selected = 0
        case .last: list.selected = count - 1
        default: return []
        }
        list.selected = max(0, min(list.selected, count - 1))
        list.top = SuppressionListState.clampedTop(list, height: height)
        if list.history != nil, list.historyAddress != list.selectedEntry?.address { list.history = nil }
        screens[screens.count - 1] = .suppressions(list)
        return []
    }

    // MARK: The note or reason pop-up

    mutating func handleSuppressionPromptKey(_ key: Key) -> [Effect] {
        guard case .suppressionPrompt(var prompt) = topScreen else { return [] }
        defer { if case .suppressionPrompt = topScreen { screens[screens.count - 1] = .suppressionPrompt(prompt) } }
        guard !prompt.sending else { return [] }
        switch key {
        case .control("c"):
            shouldQuit = true
        case .control("l"):
            redrawRequests += 1
        case .escape:
            screens.removeLast()
            notice = Notice("Nothing changed.")
        case .enter:
            let text = prompt.text.trimmingCharacters(in: .whitespaces)
            guard !text.isEmpty else {
                notice = Notice(prompt.change == .remove ? "Type the reason for the removal." : "Type a note for support.", level: .error)
                return []
            }
            if prompt.change == .remove, !prompt.confirming {
                prompt.confirming = true
                return []
            }
            prompt.sending = true
            return [.changeSuppression(prompt.change, address: prompt.address, text: text, accountID: accountID)]
        default:
            if LineEditing.apply(key, to: &prompt.text, limit: 500) { prompt.confirming = false }
        }
        return []
    }

    /// A change the store refused: the pop-up closes, the refusal shows as a notice.
    mutating func suppressionChangeFailed() {
        if case .suppressionPrompt = topScreen { screens.removeLast() }
    }

    // MARK: Answers

    mutating func receiveAccountOrSuppression(_ message: Message) -> [Effect] {
        switch message {
        case .accountsLoaded(let accounts):
            guard isSupport else { return [] }
            let current = accounts.firstIndex { $0.id == accountID } ?? 0
            if case .accountPicker = topScreen { screens.removeLast() }
            screens.append(.accountPicker(AccountPickerState(accounts: accounts, selected: current)))
            return []
        case .accountSelected(let account):
            // Everything shown belonged to the old account: start again on the new one's list.
            accountID = account.id
            accountName = account.name
            screens = [screens.first == .emptyStore ? .emptyStore : .audit]
            history = []
            staff = []
            focus = .list
            storeHasEmails = nil
            notice = Notice("Working in \(TerminalText.singleLine(account.name))")
            var next = filter
            next.raisedBy = []
            return [.probeStore(accountID: accountID), .loadStaff(accountID: accountID)] + applyFilter(next)
        case .suppressionsLoaded(let forAccount, let entries):
            guard forAccount == accountID else { return [] }
            for index in screens.indices {
                if case .suppressions(var list) = screens[index] {
                    let keep = list.selectedEntry?.address ?? list.historyAddress
                    list.entries = entries
                    if let keep, let found = entries.firstIndex(where: { $0.address == keep }) { list.selected = found }
                    list.selected = max(0, min(list.selected, entries.count - 1))
                    list.top = SuppressionListState.clampedTop(list, height: max(1, listHeight - SuppressionListState.historyRows))
                    screens[index] = .suppressions(list)
                }
            }
            return []
        case .suppressionHistoryLoaded(let address, let items):
            for index in screens.indices {
                if case .suppressions(var list) = screens[index], list.selectedEntry?.address == address {
                    list.history = items
                    list.historyAddress = address
                    screens[index] = .suppressions(list)
                }
            }
            return []
        case .suppressionChanged(let change, let address):
            if case .suppressionPrompt = topScreen { screens.removeLast() }
            let bare = TerminalText.singleLine(address)
            notice = Notice(change == .remove ? "Removed \(bare) from the suppression list; the provider sends to it again."
                                              : "Removal of \(bare) requested; support sees it on this list.")
            return [.loadSuppressions(accountID: accountID)]
        default:
            return []
        }
    }
}

extension SuppressionListState {
    /// Rows under the list kept for the selected entry's trail.
    static let historyRows = 5

    /// A top row that keeps the selection within `height` rows.
    static func clampedTop(_ list: SuppressionListState, height: Int) -> Int {
        topKeeping(selected: list.selected, top: list.top, height: height)
    }
}
