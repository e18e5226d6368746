import AuditCore
import Foundation
import Testing
@testable import TerminalUI

/// Key sequences through update() and the effects they cause, on the fake store.
@Suite struct UpdateTests {
    @Test func opensOnTodayWithCountsAndStaff() {
        let session = Fixture.session()
        let state = session.state
        #expect(state.filter.dateRange == .today)
        #expect(state.filter.accountID == 1)
        #expect(state.list.loaded)
        #expect(state.list.rows.count == 16)
        #expect(state.counts?.total == 16)
        #expect(state.staff.count == 5)
        #expect(state.storeHasEmails == true)
        #expect(state.list.rows.first?.id == 1)
    }

    @Test func statusFilterWithKeys() {
        let session = Fixture.session(filter: EmailFilter(dateRange: .all))
        session.send(.character("s"))
        #expect(session.state.focus == .field(.status))
        #expect(session.state.keyContext == .filter)
        session.send(Array(repeating: .down, count: Fixture.statusRow(.failed)))
        session.send(.enter)
        #expect(session.state.focus == .list)
        #expect(session.state.filter.statuses == [.failed])
        #expect(session.state.list.rows.allSatisfy { $0.status == .failed })
        #expect(session.state.list.rows.count == 6)
        #expect(session.state.counts?.total == 6)
        #expect(session.state.counts?[.failed] == 6)

        // Several statuses: tick with Space, apply with Enter.
        session.send(.character("s"))
        session.send(Array(repeating: .down, count: Fixture.statusRow(.rejected) - Fixture.statusRow(.failed)))
        session.send(.character(" "))
        session.send(.enter)
        #expect(session.state.filter.statuses == [.failed, .rejected])
        #expect(session.state.counts?.total == 12)

        // "All" clears the statuses.
        session.send([.character("s"), .home, .enter])
        #expect(session.state.filter.statuses.isEmpty)
    }

    @Test func escapeCancelsAFilterEdit() {
        let session = Fixture.session()
        session.send([.character("s"), .down, .down, .character(" "), .escape])
        #expect(session.state.focus == .list)
        #expect(session.state.filter.statuses.isEmpty)
    }

    @Test func raisedByTypeToNarrow() {
        let session = Fixture.session(filter: EmailFilter(dateRange: .all))
        session.send(.character("r"))
        session.type("zoe")
        #expect(session.state.raisedByMatches.map(\.name) == ["Zoë Adams"])
        session.send(.enter)
        #expect(session.state.filter.raisedBy == [1])
        #expect(session.state.list.rows.allSatisfy { $0.raisedByName == "Zoë Adams" })
        #expect(!session.state.list.rows.isEmpty)
        // At 80 columns the five fields use their short labels ("By:").
        #expect(session.render().text.contains("By: Zoë Adams"))
        // Anyone again.
        session.send([.character("r"), .home, .enter])
        #expect(session.state.filter.raisedBy.isEmpty)
    }

    @Test func toFilterWholeAddressOrPrefix() {
        let session = Fixture.session(filter: EmailFilter(dateRange: .all))
        session.send(.character("/"))
        session.type("bob*")
        session.send(.enter)
        #expect(session.state.filter.to == .prefix("bob"))
        #expect(session.state.list.rows.allSatisfy { $0.to.hasPrefix("bob") })
        session.send(.character("/"))
        session.send(Array(repeating: .backspace, count: 4))
        session.type("not-an-address")
        session.send(.enter)
        #expect(session.state.focus == .field(.to), "an incomplete address is refused")
        #expect(session.state.notice?.level == .error)
        session.send(Array(repeating: .backspace, count: 20))
        session.send(.enter)
        #expect(session.state.filter.to == nil)
    }

    @Test func openAndCloseThePopup() {
        let session = Fixture.session()
        let id = session.state.list.selectedID
        session.send(.enter)
        guard case .detail(let popup) = session.state.topScreen else {
            Issue.record("no pop-up")
            return
        }
        #expect(popup.emailID == id)
        #expect(popup.detail?.email.id == id)
        session.send(.escape)
        #expect(session.state.topScreen == .audit)
        session.send(.character("v"))
        #expect(session.state.keyContext == .popup)
        session.send(.character("q"))
        #expect(session.state.topScreen == .audit)
        #expect(!session.state.shouldQuit, "q closes the pop-up, it does not quit")
    }

    @Test func popupScrollsAndClampsToItsContent() {
        let session = Fixture.session(width: 60, height: 15, filter: EmailFilter(statuses: [.failed], dateRange: .all))
        session.send(.enter)
        session.send(Array(repeating: .down, count: 500))
        guard case .detail(let popup) = session.state.topScreen else {
            Issue.record("no pop-up")
            return
        }
        #expect(popup.scroll > 0)
        #expect(popup.scroll == session.state.maxDetailScroll(popup))
        #expect(session.render().text.contains("Body") || session.render().text.contains("Kind regards"))
        session.send(.home)
        guard case .detail(let top) = session.state.topScreen else { return }
        #expect(top.scroll == 0)
    }

    @Test func unitSearchAndBack() {
        let session = Fixture.session(filter: EmailFilter(statuses: [.failed], dateRange: .all))
        let address = session.state.list.selected!.to
        session.send([.enter, .character("u")])
        guard case .unitSearch(let search) = session.state.topScreen else {
            Issue.record("no Unit Search")
            return
        }
        #expect(search.address == address)
        #expect(search.rows?.isEmpty == false)
        session.send(.escape)
        guard case .detail = session.state.topScreen else {
            Issue.record("Esc should go back to the pop-up")
            return
        }
        session.send([.character("u"), .enter])
        #expect(session.state.screens == [.audit])
        #expect(session.state.filter.to == .exact(address))
        #expect(session.state.filter.dateRange == .all)
        #expect(session.state.list.rows.allSatisfy { $0.to == address })
        #expect(session.state.list.rows.count == 7, "indices 6, 14, ... 54 of the fake go to this address")
    }

    @Test func unitSearchFromTheList() {
        let session = Fixture.session()
        session.send(.character("u"))
        guard case .unitSearch = session.state.topScreen else {
            Issue.record("u on the list opens Unit Search")
            return
        }
        session.send(.escape)
        #expect(session.state.topScreen == .audit)
    }

    @Test func tabCyclesTheFieldsAndTheList() {
        let session = Fixture.session()
        var seen: [Focus] = []
        for _ in 0..<6 {
            session.send(.tab)
            seen.append(session.state.focus)
        }
        #expect(seen == [.bar(.raisedBy), .bar(.status), .bar(.to), .bar(.subject), .bar(.dateRange), .list])
        seen = []
        for _ in 0..<6 {
            session.send(.backTab)
            seen.append(session.state.focus)
        }
        #expect(seen == [.bar(.dateRange), .bar(.subject), .bar(.to), .bar(.status), .bar(.raisedBy), .list])
        #expect(session.state.filter == Fixture.session().state.filter, "moving through the fields changes nothing")
    }

    @Test func customDatesAreValidatedAsTyped() {
        let session = Fixture.session()
        session.send([.character("d"), .end])
        #expect(session.state.draft.dateHighlight == FilterChoices.customDateRow)
        session.type("3")
        #expect(DateInputState(session.state.draft.customFrom) == .partial)
        session.type("2")
        #expect(DateInputState(session.state.draft.customFrom) == .invalid("no day 32"))
        session.send([.backspace, .backspace])
        session.type("31/02/2026")
        #expect(DateInputState(session.state.draft.customFrom) == .invalid("no such day"))
        session.send(.enter)
        #expect(session.state.focus == .field(.dateRange), "an impossible date is not applied")
        #expect(session.state.notice?.level == .error)
        session.send(Array(repeating: .backspace, count: 10))
        session.type("01/11/2026")
        session.send(.enter)
        #expect(session.state.draft.customBox == .through)
        session.type("14/11/2026")
        session.send(.enter)
        let from = CalendarDay(year: 2026, month: 11, day: 1), through = CalendarDay(year: 2026, month: 11, day: 14)
        #expect(session.state.filter.dateRange == .custom(from: from, through: through))
        #expect(session.state.focus == .list)
        #expect(session.state.list.rows.isEmpty, "the fake store has nothing before 15/11")
    }

    @Test func customRangeMustRunForwards() {
        #expect(throws: CustomRangeError.self) {
            try FilterChoices.customRange(from: "10/11/2026", through: "01/11/2026").get()
        }
        #expect(DateInputState("1/13") == .invalid("no month 13"))
        #expect(DateInputState("01/1") == .partial)
        #expect(DateInputState("ab") == .invalid("use digits and / (dd/mm/yyyy)"))
        #expect(DateInputState("29/02/2028").day == CalendarDay(year: 2028, month: 2, day: 29))
    }

    @Test func namedDateRanges() {
        let session = Fixture.session()
        session.send([.character("d"), .down, .down, .enter])
        #expect(session.state.filter.dateRange == .last7Days)
        #expect(session.state.counts?.total == 60)
    }

    @Test func clearFilters() {
        let session = Fixture.session()
        session.send([.character("s"), .down, .enter, .character("d"), .down, .enter])
        #expect(session.state.filter != EmailFilter(accountID: 1))
        session.send(.character("c"))
        #expect(session.state.filter == EmailFilter(accountID: 1))
        #expect(session.state.counts?.total == 16)
    }

    @Test func qQuitsFromTheListOnly() {
        let session = Fixture.session()
        session.send(.character("q"))
        #expect(session.state.shouldQuit)

        let popup = Fixture.session()
        popup.send([.enter, .character("q")])
        #expect(!popup.state.shouldQuit)
        popup.send([.enter, .character("Q")])
        #expect(popup.state.shouldQuit, "Q quits at once from anywhere")

        let help = Fixture.session()
        help.send([.character("?"), .character("q")])
        #expect(!help.state.shouldQuit)
        #expect(help.state.topScreen == .audit)

        let control = Fixture.session()
        control.send([.character("/"), .control("c")])
        #expect(control.state.shouldQuit, "Ctrl-C quits even while typing")

        let typing = Fixture.session()
        typing.send(.character("/"))
        typing.type("qQ")
        #expect(!typing.state.shouldQuit, "q and Q are typed into the To field")
        #expect(typing.state.draft.toText == "qQ")
    }

    @Test func helpOpensWithQuestionMarkOrF1() {
        let session = Fixture.session()
        session.send(.character("?"))
        guard case .help = session.state.topScreen else {
            Issue.record("no help")
            return
        }
        session.send(.escape)
        session.send(.function(1))
        guard case .help = session.state.topScreen else {
            Issue.record("F1 should open help")
            return
        }
        session.send(.function(1))
        #expect(session.state.topScreen == .audit)
    }

    @Test func scrollingPastAPageBoundaryLoadsTheNextPageAndTheWindowStaysBounded() {
        let reader = FakeAuditReader()
        let session = Fixture.session(reader, filter: EmailFilter(dateRange: .all), pageSize: 5, windowPages: 3)
        let limit = session.state.windowLimit
        #expect(limit == 19 + 15)
        #expect(session.state.list.rows.count < 60)
        var peak = 0
        var olderLoads = 0
        for step in 1...59 {
            let before = session.effectLog.count
            session.send(.down)
            olderLoads += session.effectLog[before...].filter {
                if case .loadPage(let request) = $0 { return request.purpose == .older } else { return false }
            }.count
            peak = max(peak, session.state.list.rows.count)
            #expect(session.state.list.selectedPosition == step)
        }
        #expect(olderLoads > 0)
        #expect(peak <= limit)
        #expect(session.state.list.selected?.id == 60)
        #expect(session.state.list.atOldest)
        #expect(!session.state.list.atNewest, "the newest rows were dropped from memory")
        // Every page after the first was fetched with the keyset cursor, never an offset.
        #expect(reader.summaryCalls.dropFirst(2).allSatisfy { $0.cursor != nil || $0.limit == 1 })

        // Back up to the top: newer pages load and the window stays bounded.
        for _ in 1...59 {
            session.send(.up)
            #expect(session.state.list.rows.count <= limit)
        }
        #expect(session.state.list.selected?.id == 1)
        #expect(session.state.list.atNewest)
    }

    @Test func endAndHomeJumpToTheOldestAndNewest() {
        let session = Fixture.session(filter: EmailFilter(dateRange: .all), pageSize: 5, windowPages: 3)
        session.send(.end)
        #expect(session.state.list.selected?.id == 60)
        #expect(session.state.list.selectedPosition == 59)
        session.send(.character("k"))
        #expect(session.state.list.selected?.id == 59)
        session.send(.character("g"))
        #expect(session.state.list.selected?.id == 1)
        session.send(.character("G"))
        #expect(session.state.list.selected?.id == 60)
        session.send(.home)
        #expect(session.state.list.selectedPosition == 0)
    }

    @Test func selectionIsHeldByIDAcrossAReload() {
        let reader = FakeAuditReader()
        let session = Fixture.session(reader)
        session.send([.down, .down, .down])
        let held = session.state.list.selectedID
        #expect(held == 4)
        #expect(session.state.list.cursor == 3)
        session.tick()  // reads the change token
        // A new email arrives at the top of today's list.
        reader.add(id: 1000, created: FakeAuditReader.now.addingTimeInterval(-30), status: .pending,
                   to: "new.person@example.com", subject: "Just arrived", person: FakeAuditReader.staffList[0])
        session.tick()
        #expect(session.state.list.rows.first?.id == 1000, "the new email shows after the tick")
        #expect(session.state.list.selectedID == held)
        #expect(session.state.list.cursor == 4)
        #expect(session.state.counts?.total == 17)
        // An unchanged store does not reload.
        let before = session.effectLog.count
        session.tick()
        #expect(session.effectLog[before...].allSatisfy { $0 == .checkChangeToken })
    }

    @Test func selectionIsHeldAcrossAFilterChange() {
        let session = Fixture.session(filter: EmailFilter(dateRange: .all))
        session.send(Array(repeating: .down, count: 6))
        let held = session.state.list.selected!
        session.send([.character("s"), .character(" ")])  // untick All = keep All, but ticked
        session.send(Array(repeating: .down, count: Fixture.statusRow(held.status)))
        session.send([.character(" "), .enter])
        #expect(session.state.filter.statuses == [held.status])
        #expect(session.state.list.selectedID == held.id)
    }

    @Test func emptyStoreSwitchesToTheListWhenEmailsArrive() {
        let reader = FakeAuditReader(empty: true)
        let session = Fixture.session(reader)
        #expect(session.state.screens == [.emptyStore])
        #expect(session.render().text.contains("No emails yet"))
        session.tick()
        reader.add(id: 1, created: FakeAuditReader.now, status: .accepted, to: "a@example.com", subject: "First",
                   person: FakeAuditReader.staffList[1])
        session.tick()
        #expect(session.state.screens == [.audit])
        #expect(session.state.list.rows.map(\.id) == [1])
        session.send(.character("q"))
        #expect(session.state.shouldQuit)
    }

    @Test func resizeKeepsStateAndSelection() {
        let session = Fixture.session(filter: EmailFilter(statuses: [.failed], dateRange: .all))
        session.send([.down, .enter])
        let before = session.state
        session.resize(width: 60, height: 15)
        #expect(session.state.screens.count == before.screens.count)
        #expect(session.state.list.selectedID == before.list.selectedID)
        session.resize(width: 50, height: 12)
        #expect(session.render().text.contains("Terminal too small (need 60×15, have 50×12)"))
        session.resize(width: 120, height: 40)
        #expect(session.render().text.contains("Status Details"))
        #expect(session.state.filter == before.filter)
    }

    @Test func keysWhileTooSmallDoNotActOnHiddenScreens() {
        let session = Fixture.session()
        session.send([.down, .enter])
        let before = session.state
        session.resize(width: 50, height: 12)
        // Moving, filters, Esc and help would change screens nobody can see.
        session.send([.down, .escape, .character("s"), .character("?"), .character("u"), .enter])
        #expect(session.state.screens == before.screens)
        #expect(session.state.focus == before.focus)
        #expect(session.state.list.cursor == before.list.cursor)
        #expect(!session.state.shouldQuit)
        session.send(.control("l"))
        #expect(session.state.redrawRequests == before.redrawRequests + 1)
        session.resize(width: 120, height: 40)
        #expect(session.state.screens == before.screens, "the pop-up is back as it was")

        // "press q to quit", as the message says, even with a pop-up open under it.
        session.resize(width: 50, height: 12)
        session.send(.character("q"))
        #expect(session.state.shouldQuit)
        for key in [Key.character("Q"), .control("c")] {
            let other = Fixture.session()
            other.send(.character("/"))
            other.resize(width: 59, height: 20)
            other.send(key)
            #expect(other.state.shouldQuit)
        }
    }

    @Test func mouseClicksSelectOpenAndPressHints() {
        let session = Fixture.session()
        let layout = session.state.layout
        session.send(.mouse(MouseEvent(kind: .click, x: 10, y: layout.listArea.y + 2)))
        #expect(session.state.list.cursor == 2)
        session.send(.mouse(MouseEvent(kind: .doubleClick, x: 10, y: layout.listArea.y + 4)))
        guard case .detail(let popup) = session.state.topScreen else {
            Issue.record("double-click opens")
            return
        }
        #expect(popup.emailID == session.state.list.rows[4].id)
        // Click the "Esc Back" hint.
        let hints = KeyHints.place(KeyTable.hints(in: .popup), width: 80)
        let back = hints.first { $0.binding.command == .back }!
        session.send(.mouse(MouseEvent(kind: .click, x: back.columns.lowerBound, y: layout.hintRow)))
        #expect(session.state.topScreen == .audit)
        // The wheel scrolls.
        session.send(.mouse(MouseEvent(kind: .wheelDown, x: 5, y: 5)))
        #expect(session.state.list.cursor >= 4)
        // Clicking the Status field opens its list; clicking a choice ticks it.
        let status = FilterBar.place(state: session.state, width: 80).first { $0.field == .status }!
        session.send(.mouse(MouseEvent(kind: .click, x: status.columns.lowerBound + 1, y: layout.filterRow)))
        #expect(session.state.focus == .field(.status))
        let rect = FilterDropdown.rect(for: .status, state: session.state)!
        session.send(.mouse(MouseEvent(kind: .click, x: rect.x + 3, y: rect.y + 1 + Fixture.statusRow(.delivered))))
        #expect(session.state.draft.statuses == [.delivered])
        session.send(.enter)
        #expect(session.state.filter.statuses == [.delivered])
        // The "q Quit" hint quits.
        let quit = KeyHints.place(KeyTable.hints(in: .list), width: 80).first { $0.binding.command == .quit }!
        session.send(.mouse(MouseEvent(kind: .click, x: quit.columns.lowerBound, y: layout.hintRow)))
        #expect(session.state.shouldQuit)
    }

    @Test func ctrlLAsksForARedraw() {
        let session = Fixture.session()
        session.send(.control("l"))
        #expect(session.state.redrawRequests == 1)
    }

    @Test func staleAnswersAreDropped() {
        var state = AppState(options: Fixture.options(), size: TerminalSize(width: 80, height: 24))
        (state, _) = update(state, .started)
        let oldRequest = PageRequest(purpose: .first, generation: 0, filter: state.filter, cursor: nil, direction: .older, limit: 200)
        (state, _) = update(state, .key(.character("c")))  // new generation
        let row = EmailSummary(id: 99, createdAt: FakeAuditReader.now, to: "x@example.com", subject: "stale",
                               raisedByName: "A", status: .failed, activity: .notification)
        let (after, effects) = update(state, .pageLoaded(oldRequest, [row]))
        #expect(after.list.rows.isEmpty)
        #expect(effects.isEmpty)
    }

    @Test func effectErrorsBecomeNotices() {
        var state = AppState(options: Fixture.options(), size: TerminalSize(width: 80, height: 24))
        (state, _) = update(state, .effectFailed(.checkChangeToken, "database is locked\u{1B}[2J"))
        #expect(state.notice?.level == .error)
        #expect(state.notice?.text.contains("\u{1B}") == false)
        #expect(!state.checkingChangeToken)
    }

    // MARK: Support desk fit (issue 10)

    @Test func escapeAfterUnitSearchEnterRestoresEveryLevel() {
        let session = Fixture.session(filter: EmailFilter(statuses: [.delivered], dateRange: .all))
        session.send([.down, .down])
        let before = session.state
        let selected = before.list.selectedID
        session.send([.enter, .character("u")])
        let unitSearchScreens = session.state.screens
        session.send(.enter)
        #expect(session.state.screens == [.audit])
        #expect(session.state.filter.dateRange == .all)
        #expect(session.state.filter.statuses.isEmpty)
        #expect(session.state.history.count == 1)
        // Move and change the filter on the pushed list: Esc still returns to the saved view.
        session.send([.down, .character("a")])
        session.send(.escape)
        #expect(session.state.screens == unitSearchScreens, "Esc returns to Unit Search over View")
        #expect(session.state.filter == before.filter)
        #expect(session.state.list.selectedID == selected)
        #expect(session.state.list.rows.allSatisfy { $0.status == .delivered })
        #expect(session.state.counts == before.counts)
        #expect(session.state.history.isEmpty)
        session.send(.escape)
        guard case .detail = session.state.topScreen else {
            Issue.record("the second Esc goes back to View")
            return
        }
        session.send(.escape)
        #expect(session.state.screens == [.audit])
        #expect(session.state.list.selectedID == selected)
        #expect(session.state.list.cursor == 2)
        // With nothing to go back to, Esc on the list changes nothing.
        let settled = session.state
        session.send(.escape)
        #expect(session.state == settled)
    }

    @Test func nestedUnitSearchesUnwindInOrder() {
        let session = Fixture.session(filter: EmailFilter(statuses: [.failed], dateRange: .all))
        let first = session.state.filter
        session.send([.character("u"), .enter])
        let second = session.state.filter
        session.send([.down, .character("u"), .enter])
        #expect(session.state.history.count == 2)
        session.send(.escape)
        #expect(session.state.filter == second)
        session.send(.escape)
        #expect(session.state.filter == second, "the first Esc of a level leaves Unit Search")
        session.send(.escape)
        #expect(session.state.filter == first)
        #expect(session.state.history.isEmpty)
    }

    @Test func unitSearchFromTheToFilterOnAnEmptyList() {
        let session = Fixture.session()
        session.send(.character("/"))
        session.type("nobody.today@example.com")
        session.send(.enter)
        #expect(session.state.list.rows.isEmpty)
        session.send(.character("u"))
        guard case .unitSearch(let search) = session.state.topScreen else {
            Issue.record("u opens Unit Search for the To address")
            return
        }
        #expect(search.address == "nobody.today@example.com")
        session.send([.escape, .character("a")])
        #expect(session.state.filter.dateRange == .all)
        #expect(session.state.filter.to == .exact("nobody.today@example.com"))
    }

    @Test func customDatesNeedBothBoxesAndOnlyEnterApplies() {
        let session = Fixture.session()
        session.send([.character("d"), .end, .enter])
        #expect(session.state.filter.dateRange == .today, "empty boxes apply nothing")
        #expect(session.state.focus == .field(.dateRange))
        session.send([.left, .left])
        #expect(session.state.draft.customFrom == session.state.today.adding(days: -1).description)
        session.send(.tab)
        #expect(session.state.draft.customBox == .through)
        session.send(.tab)
        #expect(session.state.focus == .list)
        #expect(session.state.filter.dateRange == .today, "Tab leaves custom dates unapplied")
        session.send([.character("d"), .end])
        session.type("01/01/2026")
        session.send([.down, .right, .pageDown, .pageDown])
        #expect(session.state.draft.customThrough == "01/03/2026")
        session.send(.up)
        #expect(session.state.draft.customBox == .from)
        session.send(.enter)
        let from = CalendarDay(year: 2026, month: 1, day: 1), through = CalendarDay(year: 2026, month: 3, day: 1)
        #expect(session.state.filter.dateRange == .custom(from: from, through: through))
    }

    @Test func monthStepsKeepTheDayInRange() {
        #expect(CalendarDay(year: 2026, month: 1, day: 31).adding(months: 1) == CalendarDay(year: 2026, month: 2, day: 28))
        #expect(CalendarDay(year: 2024, month: 3, day: 31).adding(months: -1) == CalendarDay(year: 2024, month: 2, day: 29))
        #expect(CalendarDay(year: 2026, month: 1, day: 15).adding(months: -1) == CalendarDay(year: 2025, month: 12, day: 15))
    }

    @Test func statusWordsNameTheStatuses() {
        #expect(FilterChoices.statusWords([.failed, .complained, .rejected, .unsubscribed])
            == "Failed, Complained, Rejected, Unsubscribed")
        #expect(FilterChoices.statusWords(EmailStatus.notDelivered) == "Not delivered")
        #expect(FilterChoices.statusWords([.failed, .complained, .rejected, .unsubscribed], width: 28)
            == "Failed, Complained +2 more")
        #expect(FilterChoices.statusWords(Set(EmailStatus.allCases), width: 10) == "10 statuses")
        let filter = EmailFilter(statuses: EmailStatus.notDelivered, dateRange: .yesterday)
        #expect(FilterChoices.words(filter, staff: []) == "Emails not delivered · Yesterday")
    }

    @Test func tabFocusesEveryFieldTheSameWayAndEnterOrSpaceOpensIt() {
        for field in FilterField.allCases {
            for opener in [Key.enter, .character(" "), .down] {
                let session = Fixture.session()
                session.send(Array(repeating: .tab, count: field.rawValue + 1))
                #expect(session.state.focus == .bar(field))
                #expect(session.state.keyContext == .filterBar)
                #expect(session.render().text.contains("Enter Open"), "the hint bar says how to open it")
                session.send(opener)
                #expect(session.state.focus == .field(field), "\(opener) opens \(field)")
            }
        }
        // From an open field Tab applies its edits and focuses the next field, closed.
        let session = Fixture.session()
        session.send([.tab, .tab, .enter])
        session.send([.down, .character(" "), .tab])
        #expect(session.state.filter.statuses == [.pending])
        #expect(session.state.focus == .bar(.to))
        session.send(.escape)
        #expect(session.state.focus == .list)
    }

    @Test func statusTypeAheadJumps() {
        let session = Fixture.session()
        session.send(.character("s"))
        session.type("re")
        #expect(FilterChoices.statusRows[session.state.draft.statusHighlight] == .rejected)
        session.type("x")
        #expect(FilterChoices.statusRows[session.state.draft.statusHighlight] == .rejected, "no match keeps the place")
        session.send(.home)
        session.type("t")
        #expect(FilterChoices.statusRows[session.state.draft.statusHighlight] == .temporaryFailure)
        session.send(.enter)
        #expect(session.state.filter.statuses == [.temporaryFailure])
    }

    @Test func escapeOnTheListWithAnIDColumnToggle() {
        let session = Fixture.session()
        session.send(.character("i"))
        #expect(session.state.showIDColumn)
        #expect(session.render().text.contains(" Id "))
        session.send(.character("i"))
        #expect(!session.state.showIDColumn)
    }

    @Test func problemsPresetInOneKey() {
        let session = Fixture.session(filter: EmailFilter(dateRange: .all))
        session.send(.character("P"))
        #expect(session.state.filter.statuses == [.failed, .complained, .rejected, .unsubscribed])
        #expect(session.state.list.rows.allSatisfy { [.failed, .complained, .rejected, .unsubscribed].contains($0.status) })
        #expect(FilterChoices.words(session.state.filter, staff: []) == "Failed, Complained, Rejected, Unsubscribed emails · All dates")
    }
}
