import AuditCore
import Testing
@testable import TerminalUI

/// Every screen at 80×24, 120×40 and 60×15, against checked-in text snapshots.
@Suite struct SnapshotTests {
    static let sizes: [(Int, Int)] = [(80, 24), (120, 40), (60, 15)]

    @Test(arguments: sizes)
    func mainList(width: Int, height: Int) {
        let session = Fixture.session(width: width, height: height)
        assertSnapshot(session.render(), named: "main-list-\(width)x\(height)")
    }

    @Test(arguments: sizes)
    func mainListWithStatusFilter(width: Int, height: Int) {
        let session = Fixture.session(width: width, height: height, filter: EmailFilter(dateRange: .last7Days))
        session.send(.character("s"))
        session.send(Array(repeating: .down, count: Fixture.statusRow(.temporaryFailure)))
        session.send(.character(" "))
        session.send(Array(repeating: .down, count: Fixture.statusRow(.failed) - Fixture.statusRow(.temporaryFailure)))
        session.send(.character(" "))
        session.send(.enter)
        assertSnapshot(session.render(), named: "main-status-filter-\(width)x\(height)")
    }

    @Test(arguments: sizes)
    func statusPickListOpen(width: Int, height: Int) {
        let session = Fixture.session(width: width, height: height)
        session.send(.character("s"))
        session.send(Array(repeating: .down, count: Fixture.statusRow(.failed)))
        session.send(.character(" "))
        assertSnapshot(session.render(), named: "status-picker-\(width)x\(height)")
    }

    @Test(arguments: sizes)
    func viewPopupOfFailedEmail(width: Int, height: Int) {
        let session = Fixture.session(width: width, height: height, filter: EmailFilter(statuses: [.failed], dateRange: .all))
        session.send(.enter)
        assertSnapshot(session.render(), named: "view-failed-\(width)x\(height)")
    }

    @Test(arguments: sizes)
    func unitSearch(width: Int, height: Int) {
        let session = Fixture.session(width: width, height: height, filter: EmailFilter(statuses: [.failed], dateRange: .all))
        session.send([.enter, .character("u")])
        assertSnapshot(session.render(), named: "unit-search-\(width)x\(height)")
    }

    @Test(arguments: sizes)
    func domainBreakdown(width: Int, height: Int) {
        let session = Fixture.session(width: width, height: height, filter: EmailFilter(dateRange: .all))
        session.send([.character("D"), .down])
        assertSnapshot(session.render(), named: "domain-breakdown-\(width)x\(height)")
    }

    @Test(arguments: sizes)
    func subjectAndDomainSearch(width: Int, height: Int) {
        let session = Fixture.session(width: width, height: height, filter: EmailFilter(dateRange: .all))
        session.send(.character("/"))
        session.type("*@example.net")
        session.send([.enter, .character("t")])
        session.type("ticket")
        assertSnapshot(session.render(), named: "subject-search-\(width)x\(height)")
    }

    @Test(arguments: sizes)
    func help(width: Int, height: Int) {
        let session = Fixture.session(width: width, height: height)
        session.send(.character("?"))
        assertSnapshot(session.render(), named: "help-\(width)x\(height)")
    }

    @Test(arguments: sizes)
    func emptyStore(width: Int, height: Int) {
        let session = Fixture.session(FakeAuditReader(empty: true), width: width, height: height)
        assertSnapshot(session.render(), named: "empty-store-\(width)x\(height)")
    }

    @Test(arguments: [(59, 15), (60, 14), (40, 10)])
    func tooSmall(width: Int, height: Int) {
        let session = Fixture.session(width: width, height: height)
        assertSnapshot(session.render(), named: "too-small-\(width)x\(height)")
        let words = session.render().text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(words.contains("Terminal too small (need 60×15, have \(width)×\(height))"))
    }

    @Test(arguments: sizes)
    func customDates(width: Int, height: Int) {
        let session = Fixture.session(width: width, height: height)
        session.send([.character("d"), .end])
        session.type("01/11/2026")
        session.send(.enter)
        session.type("31/02")
        assertSnapshot(session.render(), named: "custom-dates-\(width)x\(height)")
    }
}
