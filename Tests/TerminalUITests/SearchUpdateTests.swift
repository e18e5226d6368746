import AuditCore
import Foundation
import Testing
@testable import TerminalUI

/// Search on the screen through update(): To by domain and part, the Subject field, a
/// Message-ID typed into To, the per-domain breakdown and its way back.
@Suite struct SearchUpdateTests {
    @Test func toByDomainAndByPart() {
        let session = Fixture.session(filter: EmailFilter(dateRange: .all))
        session.send(.character("/"))
        session.type("*@Example.NET")
        session.send(.enter)
        #expect(session.state.filter.to == .domain("example.net"))
        #expect(!session.state.list.rows.isEmpty)
        #expect(session.state.list.rows.allSatisfy { $0.to.hasSuffix("@example.net") })
        #expect(session.render().text.contains("*@example.net"))
        session.send(.character("/"))
        #expect(session.state.draft.toText == "*@example.net", "the field opens with the pattern applied")
        session.send(Array(repeating: .backspace, count: 20))
        session.type("*smith*")
        session.send(.enter)
        #expect(session.state.filter.to == .contains("smith"))
        #expect(session.state.list.rows.map(\.to).allSatisfy { $0 == "bob.smith@example.net" })
        #expect(session.state.counts?.total == session.state.list.rows.count)
        // A star anywhere else is refused with a notice, and the filter stays.
        session.send(.character("/"))
        session.send(Array(repeating: .backspace, count: 20))
        session.type("*smith")
        session.send(.enter)
        #expect(session.state.filter.to == .contains("smith"))
        #expect(session.state.notice?.level == .error)
    }

    @Test func subjectFieldFiltersAndTabReachesIt() {
        let session = Fixture.session(filter: EmailFilter(dateRange: .all))
        session.send(.character("t"))
        #expect(session.state.focus == .field(.subject))
        session.type("receipt")
        session.send(.enter)
        #expect(session.state.filter.subject == "receipt")
        #expect(!session.state.list.rows.isEmpty)
        #expect(session.state.list.rows.allSatisfy { $0.subject.lowercased().contains("receipt") })
        #expect(FilterChoices.words(session.state.filter, staff: []) == "All emails about “receipt” · All dates")
        // Tab order: Raised by, Status, To, Subject, Date.
        session.send(.tab)
        session.send([.tab, .tab, .tab])
        #expect(session.state.focus == .bar(.subject))
        session.send(.enter)
        #expect(session.state.draft.subjectText == "receipt")
        session.send(Array(repeating: .backspace, count: 7))
        session.send(.enter)
        #expect(session.state.filter.subject == nil)
        #expect(session.state.list.rows.count == 60)
    }

    @Test func ctrlUEmptiesTheTextFields() {
        let session = Fixture.session(filter: EmailFilter(dateRange: .all))
        session.send(.character("t"))
        session.type("receipt")
        session.send(.enter)
        session.send(.character("t"))
        #expect(session.state.draft.subjectText == "receipt")
        session.send(.control("u"))
        #expect(session.state.draft.subjectText == "")
        session.type("statement")
        session.send(.enter)
        #expect(session.state.filter.subject == "statement")
        session.send(.character("/"))
        session.type("*@example.net")
        session.send(.control("u"))
        #expect(session.state.draft.toText == "")
        session.type("bob.smith@example.net")
        session.send(.enter)
        #expect(session.state.filter.to == .exact("bob.smith@example.net"))
        #expect(session.state.filter.subject == "statement", "the other field keeps its text")
    }

    @Test func messageIDInToOpensThatEmail() {
        let session = Fixture.session()
        let before = session.state.filter
        session.send(.character("/"))
        session.type("<20261120.25@mg.acme-lettings.example>")
        session.send(.enter)
        guard case .detail(let popup) = session.state.topScreen else {
            Issue.record("a Message-ID in To opens View")
            return
        }
        #expect(popup.emailID == 25)
        #expect(popup.detail?.email.id == 25)
        #expect(session.state.filter == before, "the filters stay")
        session.send(.escape)
        #expect(session.state.screens == [.audit])
        session.send(.character("/"))
        session.send(Array(repeating: .backspace, count: 60))
        session.type("<nobody@nowhere.example>")
        session.send(.enter)
        #expect(session.state.screens == [.audit])
        #expect(session.state.notice?.level == .error)
        #expect(session.state.notice?.text.contains("nobody@nowhere.example") == true)
    }

    @Test func domainBreakdownEnterFiltersAndEscapeComesBack() {
        let reader = FakeAuditReader()
        let session = Fixture.session(reader, filter: EmailFilter(raisedBy: [1, 2, 3, 4, 5], dateRange: .all))
        session.send([.down, .down])
        let before = session.state
        session.send(.character("D"))
        guard case .domains(let breakdown) = session.state.topScreen, let rows = breakdown.rows else {
            Issue.record("D opens the breakdown, loaded")
            return
        }
        #expect(session.state.keyContext == .domains)
        let expected = try? reader.domainBreakdown(matching: before.filter, now: FakeAuditReader.now)
        #expect(rows == expected)
        #expect(rows.count >= 2)
        #expect(rows.map(\.total) == rows.map(\.total).sorted(by: >))
        let text = session.render().text
        #expect(text.contains("Failures by domain") && text.contains("Complained") && text.contains("Share"))
        session.send([.down, .enter])
        let domain = rows[1].domain
        #expect(session.state.screens == [.audit])
        #expect(session.state.filter.to == .domain(domain))
        #expect(session.state.filter.raisedBy == before.filter.raisedBy, "the other filters stay")
        #expect(session.state.filter.dateRange == .all)
        #expect(session.state.list.rows.allSatisfy { $0.to.hasSuffix("@" + domain) })
        // Esc: back to the breakdown, its row still selected; Esc again: the list as it was.
        session.send(.escape)
        guard case .domains(let again) = session.state.topScreen else {
            Issue.record("Esc returns to the breakdown")
            return
        }
        #expect(again.selected == 1)
        #expect(session.state.filter == before.filter)
        session.send(.escape)
        #expect(session.state.screens == [.audit])
        #expect(session.state.filter == before.filter)
        #expect(session.state.list.selectedID == before.list.selectedID)
        #expect(session.state.history.isEmpty)
    }

    @Test func breakdownWithOnlyHealthyStatusesSaysSo() {
        let session = Fixture.session(filter: EmailFilter(statuses: [.delivered], dateRange: .all))
        session.send(.character("D"))
        guard case .domains(let breakdown) = session.state.topScreen else {
            Issue.record("D opens the breakdown")
            return
        }
        #expect(breakdown.rows == [])
        #expect(session.render().text.contains("No Failed, Complained or Rejected emails"))
        session.send(.enter)
        #expect(session.state.filter.to == nil, "Enter on no row does nothing")
    }

    @Test func problemsPresetFromTheStatusListAndTheFilterBar() {
        let session = Fixture.session(filter: EmailFilter(dateRange: .all))
        session.send([.character("s"), .character("P")])
        #expect(session.state.filter.statuses == EmailStatus.problemPreset)
        #expect(session.state.focus == .list)
        session.send([.character("s"), .home, .enter])
        #expect(session.state.filter.statuses.isEmpty)
        session.send([.tab, .tab, .character("P")])
        #expect(session.state.filter.statuses == EmailStatus.problemPreset)
        // Lower-case p in the Status list is still type-ahead (Pending).
        session.send([.character("s"), .character("p")])
        #expect(session.state.draft.statusHighlight == Fixture.statusRow(.pending))
    }
}
