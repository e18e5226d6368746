import AuditCore

extension AppState {
    /// Focuses a filter field and fills its draft from the applied filter.
    mutating func beginEditing(_ field: FilterField) -> [Effect] {
        focus = .field(field)
        var draft = FilterDraft()
        draft.statuses = filter.statuses
        if filter.statuses.count == 1, let only = filter.statuses.first,
           let row = FilterChoices.statusRows.firstIndex(of: only) {
            draft.statusHighlight = row
        }
        draft.toText = filter.to?.description ?? ""
        draft.subjectText = filter.subject ?? ""
        if let index = DateRangeChoice.named.firstIndex(of: filter.dateRange) {
            draft.dateHighlight = index
        } else if case .custom(let from, let through) = filter.dateRange {
            draft.dateHighlight = FilterChoices.customDateRow
            draft.customFrom = from?.description ?? ""
            draft.customThrough = through?.description ?? ""
        }
        if filter.raisedBy.count == 1, let id = filter.raisedBy.first,
           let index = staff.firstIndex(where: { $0.id == id }) {
            draft.raisedByHighlight = index + 1
        }
        self.draft = draft
        notice = nil
        // People can appear while the screen is open (External, with the first email from
        // outside): the pick list is read afresh each time it opens.
        return field == .raisedBy ? [.loadStaff(accountID: accountID)] : []
    }

    /// The people offered by the Raised by list for the current query ("Anyone" comes first).
    var raisedByMatches: [StaffUser] {
        FilterChoices.staff(staff, matching: draft.raisedByQuery)
    }

    /// Keys while Tab has put the focus on a closed field: Tab moves on, Enter, Space or ↓ opens it.
    mutating func performInFilterBar(_ command: Command) -> [Effect] {
        guard case .bar(let field) = focus else { return [] }
        switch command {
        case .nextField:
            focus = FilterField(rawValue: field.rawValue + 1).map { .bar($0) } ?? .list
        case .previousField:
            focus = FilterField(rawValue: field.rawValue - 1).map { .bar($0) } ?? .list
        case .openField:
            return beginEditing(field)
        case .back:
            focus = .list
        case .focusRaisedBy: return beginEditing(.raisedBy)
        case .focusStatus: return beginEditing(.status)
        case .focusTo: return beginEditing(.to)
        case .focusSubject: return beginEditing(.subject)
        case .focusDateRange: return beginEditing(.dateRange)
        case .problems:
            guard filter.statuses != EmailStatus.problemPreset else { return [] }
            var newFilter = filter
            newFilter.statuses = EmailStatus.problemPreset
            return applyFilter(newFilter)
        default: break
        }
        return []
    }

    mutating func handleFilterKey(_ key: Key) -> [Effect] {
        guard case .field(let field) = focus else { return [] }
        if field == .dateRange, draft.dateHighlight == FilterChoices.customDateRow,
           let effects = handleCustomDateKey(key) {
            return effects
        }
        if field == .status, key == .character("P") {
            // The Problems preset in the Status list too (type-ahead is lower case: p → Pending).
            draft.statuses = EmailStatus.problemPreset
            draft.statusTicked = true
            return commit(.status, explicit: true, then: .list)
        }
        if let binding = KeyTable.binding(for: key, in: .filter) {
            // Space is a tick only in the Status list; elsewhere it is typed.
            if binding.command == .toggle, field != .status {
                return typeCharacter(" ", into: field)
            }
            switch binding.command {
            case .quitNow:
                shouldQuit = true
                return []
            case .redraw:
                redrawRequests += 1
                return []
            case .help:
                screens.append(.help(HelpState()))
                return []
            case .back:
                focus = .list
                notice = nil
                return []
            case .apply:
                return commit(field, explicit: true, then: .list)
            case .nextField:
                // Tab applies the edits made, then focuses the next field closed (as from the list).
                let next = FilterField(rawValue: field.rawValue + 1)
                return commit(field, explicit: false, then: next.map { .bar($0) } ?? .list)
            case .previousField:
                let previous = FilterField(rawValue: field.rawValue - 1)
                return commit(field, explicit: false, then: previous.map { .bar($0) } ?? .list)
            case .moveDown:
                moveHighlight(in: field, by: 1)
                return []
            case .moveUp:
                moveHighlight(in: field, by: -1)
                return []
            case .toggle:
                toggleStatus()
                return []
            case .clearText:
                clearText(in: field)
                return []
            default:
                return []
            }
        }
        switch key {
        case .character(let character):
            return typeCharacter(character, into: field)
        case .backspace, .delete:
            deleteCharacter(in: field)
            return []
        case .home where !field.isText:
            setHighlight(in: field, to: 0)
            return []
        case .end where !field.isText:
            setHighlight(in: field, to: Int.max)
            return []
        default:
            return []
        }
    }

    /// Typed text beyond this many characters is ignored (no address, name or date is
    /// longer), so a huge paste costs no more than a short one.
    static let maxTypedCharacters = 256
    /// Keys in the custom From and To boxes: ← → a day, PgUp PgDn a month, ↓ ↑ (and Tab,
    /// Shift-Tab) between the boxes. Nil leaves the key to the usual handling.
    mutating func handleCustomDateKey(_ key: Key) -> [Effect]? {
        switch key {
        case .left: stepCustomDate { $0.adding(days: -1) }
        case .right: stepCustomDate { $0.adding(days: 1) }
        case .pageUp: stepCustomDate { $0.adding(months: -1) }
        case .pageDown: stepCustomDate { $0.adding(months: 1) }
        case .down:
            draft.customBox = .through
        case .up, .backTab:
            guard draft.customBox == .through else { return nil }
            draft.customBox = .from
        case .tab:
            guard draft.customBox == .through else {
                draft.customBox = .through
                return []
            }
            // Only Enter applies custom dates; Tab leaves them unapplied.
            focus = .list
            notice = Notice("Custom dates not applied: Enter applies them")
        default:
            return nil
        }
        return []
    }

    /// Moves the date in the active custom box; an empty box starts from the other box's
    /// date, or today.
    mutating func stepCustomDate(_ step: (CalendarDay) -> CalendarDay) {
        let from = draft.customBox == .from
        let text = from ? draft.customFrom : draft.customThrough
        let other = DateInputState(from ? draft.customThrough : draft.customFrom).day
        let next: CalendarDay
        if let day = DateInputState(text).day {
            next = step(day)
        } else if text.trimmingCharacters(in: .whitespaces).isEmpty {
            next = other ?? today
        } else {
            notice = Notice("Dates: finish the date (dd/mm/yyyy) before moving it", level: .error)
            return
        }
        if from { draft.customFrom = next.description } else { draft.customThrough = next.description }
    }

    mutating func typeCharacter(_ character: Character, into field: FilterField) -> [Effect] {
        let typed: String? = switch field {
        case .raisedBy: draft.raisedByQuery
        case .to: draft.toText
        case .subject: draft.subjectText
        case .dateRange: draft.customBox == .from ? draft.customFrom : draft.customThrough
        case .status: nil
        }
        if let typed, typed.count >= Self.maxTypedCharacters { return [] }
        switch field {
        case .raisedBy:
            draft.raisedByQuery.append(character)
            draft.raisedByHighlight = raisedByMatches.isEmpty ? 0 : 1
        case .to:
            draft.toText.append(character)
        case .subject:
            draft.subjectText.append(character)
        case .dateRange:
            guard draft.dateHighlight == FilterChoices.customDateRow else { return [] }
            if draft.customBox == .from { draft.customFrom.append(character) } else { draft.customThrough.append(character) }
        case .status:
            jumpToStatus(typing: character)
        }
        return []
    }

    /// Status type-ahead: the letters typed so far pick the first status that starts with
    /// them; a letter that matches nothing starts a new search.
    mutating func jumpToStatus(typing character: Character) {
        func row(for query: String) -> Int? {
            FilterChoices.statusRows.firstIndex { status in
                status.map { $0.displayName.lowercased().hasPrefix(query) } ?? false
            }
        }
        let query = draft.statusQuery + character.lowercased()
        if let found = row(for: query) {
            draft.statusQuery = query
            draft.statusHighlight = found
        } else if let found = row(for: character.lowercased()) {
            draft.statusQuery = character.lowercased()
            draft.statusHighlight = found
        }
    }

    mutating func deleteCharacter(in field: FilterField) {
        switch field {
        case .raisedBy:
            if !draft.raisedByQuery.isEmpty { draft.raisedByQuery.removeLast() }
            draft.raisedByHighlight = min(draft.raisedByHighlight, raisedByMatches.count)
        case .to:
            if !draft.toText.isEmpty { draft.toText.removeLast() }
        case .subject:
            if !draft.subjectText.isEmpty { draft.subjectText.removeLast() }
        case .dateRange:
            guard draft.dateHighlight == FilterChoices.customDateRow else { return }
            if draft.customBox == .through {
                if draft.customThrough.isEmpty { draft.customBox = .from } else { draft.customThrough.removeLast() }
            } else if !draft.customFrom.isEmpty {
                draft.customFrom.removeLast()
            }
        case .status:
            break
        }
    }

    /// Ctrl-U, as in a shell: empties what was typed in the field (in the custom dates, the
    /// box being typed in).
    mutating func clearText(in field: FilterField) {
        switch field {
        case .raisedBy:
            draft.raisedByQuery = ""
            draft.raisedByHighlight = min(draft.raisedByHighlight, raisedByMatches.count)
        case .to: draft.toText = ""
        case .subject: draft.subjectText = ""
        case .dateRange:
            guard draft.dateHighlight == FilterChoices.customDateRow else { return }
            if draft.customBox == .through { draft.customThrough = "" } else { draft.customFrom = "" }
        case .status:
            break
        }
    }

    mutating func moveHighlight(in field: FilterField, by delta: Int) {
        switch field {
        case .raisedBy: setHighlight(in: field, to: draft.raisedByHighlight + delta)
        case .status: setHighlight(in: field, to: draft.statusHighlight + delta)
        case .dateRange: setHighlight(in: field, to: draft.dateHighlight + delta)
        case .to, .subject: break
        }
    }

    mutating func setHighlight(in field: FilterField, to index: Int) {
        func clamp(_ value: Int, _ count: Int) -> Int { max(0, min(value, count - 1)) }
        draft.statusQuery = ""
        switch field {
        case .raisedBy: draft.raisedByHighlight = clamp(index, raisedByMatches.count + 1)
        case .status: draft.statusHighlight = clamp(index, FilterChoices.statusRows.count)
        case .dateRange: draft.dateHighlight = clamp(index, FilterChoices.dateRows.count)
        case .to, .subject: break
        }
    }

    mutating func toggleStatus() {
        draft.statusTicked = true
        guard let status = FilterChoices.statusRows[draft.statusHighlight] else {
            draft.statuses = []
            return
        }
        if draft.statuses.contains(status) { draft.statuses.remove(status) } else { draft.statuses.insert(status) }
    }

    /// Applies the draft of a field. `explicit` is Enter (apply what is highlighted);
    /// Tab and Shift-Tab apply only edits the user made. An invalid draft keeps the focus.
    mutating func commit(_ field: FilterField, explicit: Bool, then nextFocus: Focus) -> [Effect] {
        var newFilter = filter
        switch field {
        case .raisedBy:
            if explicit || !draft.raisedByQuery.isEmpty {
                let matches = raisedByMatches
                if draft.raisedByHighlight == 0 || matches.isEmpty {
                    if explicit { newFilter.raisedBy = [] }
                } else {
                    newFilter.raisedBy = [matches[min(draft.raisedByHighlight - 1, matches.count - 1)].id]
                }
            }
        case .status:
            if draft.statusTicked {
                newFilter.statuses = draft.statuses
            } else if explicit {
                newFilter.statuses = FilterChoices.statusRows[draft.statusHighlight].map { [$0] } ?? []
            }
        case .to:
            let text = draft.toText.trimmingCharacters(in: .whitespaces)
            if text.isEmpty {
                newFilter.to = nil
            } else if let messageID = MessageIDText.bare(text) {
                // <id@domain>: open that email's View; the filters stay as they were.
                focus = .list
                notice = Notice("Looking up Message-ID <\(messageID)>…")
                return [.findMessage(messageID: messageID, accountID: accountID)]
            } else if let pattern = AddressPattern(parsing: text), pattern.isUsable {
                newFilter.to = pattern
            } else {
                notice = Notice("To: an address, smith*, *@domain, *part* or <message-id>", level: .error)
                return []
            }
        case .subject:
            let text = draft.subjectText.trimmingCharacters(in: .whitespaces)
            newFilter.subject = text.isEmpty ? nil : text
        case .dateRange:
            if draft.dateHighlight < FilterChoices.customDateRow {
                if explicit { newFilter.dateRange = DateRangeChoice.named[draft.dateHighlight] }
            } else if !explicit {
                // Tab and Shift-Tab never apply custom dates: only Enter does.
            } else if draft.customBox == .from, DateInputState(draft.customFrom).day != nil,
                      draft.customThrough.isEmpty {
                // Enter in the From box moves on to the To box.
                draft.customBox = .through
                return []
            } else if draft.customFrom.trimmingCharacters(in: .whitespaces).isEmpty {
                draft.customBox = .from
                notice = Notice("Dates: type the From date (dd/mm/yyyy; ← → a day, PgUp PgDn a month)", level: .error)
                return []
            } else if draft.customThrough.trimmingCharacters(in: .whitespaces).isEmpty,
                      DateInputState(draft.customFrom).day != nil {
                draft.customBox = .through
                notice = Notice("Dates: type the To date (dd/mm/yyyy)", level: .error)
                return []
            } else {
                switch FilterChoices.customRange(from: draft.customFrom, through: draft.customThrough) {
                case .success(let range):
                    newFilter.dateRange = range
                case .failure(let error):
                    notice = Notice("Dates: " + error.text, level: .error)
                    return []
                }
            }
        }
        notice = nil
        let effects = newFilter == filter ? [] : applyFilter(newFilter)
        if case .field(let next) = nextFocus {
            _ = beginEditing(next)
        } else {
            focus = nextFocus
        }
        return effects
    }
}

extension AddressPattern {
    /// Whether the pattern can match anything: a prefix, or a whole valid address.
    var isUsable: Bool {
        switch self {
        case .prefix, .domain, .contains: true
        case .exact(let address): EmailAddress.isValid(address)
        }
    }
}

extension FilterField {
    /// Whether the field is typed into (To, Subject) rather than picked from a list.
    var isText: Bool { self == .to || self == .subject }
}

/// A Message-ID typed into To as `<id@domain>`.
enum MessageIDText {
    /// The id without its angle brackets, when the text is one.
    static func bare(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("<"), trimmed.hasSuffix(">"), trimmed.count > 2 else { return nil }
        let inner = String(trimmed.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
        guard !inner.isEmpty, !inner.contains("<"), !inner.contains(">"), !inner.contains(" ") else { return nil }
        return inner
    }
}
