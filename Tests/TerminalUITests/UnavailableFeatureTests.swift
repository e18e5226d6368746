import AuditCore
import Testing
@testable import TerminalUI

/// The writes a store cannot do yet (a PostgreSQL store: resends, suppression changes,
/// notifications) are off, and their keys say why in words, where they can be seen.
@Suite struct UnavailableFeatureTests {
    static func session(unavailableWhere: String? = nil) -> HeadlessSession {
        var options = Fixture.options(filter: EmailFilter(dateRange: .all))
        if let unavailableWhere { options.unavailableWhere = unavailableWhere }
        return HeadlessSession(reader: FakeAuditReader(), options: options, width: 100, height: 30, now: { FakeAuditReader.now })
    }

    /// The last line of the screen (the hint bar).
    static func hintBar(_ session: HeadlessSession) -> String {
        String(session.render().text.split(separator: "\n", omittingEmptySubsequences: false).last { !$0.isEmpty } ?? "")
    }

    @Test func rOnViewSaysResendingIsOffOnPostgreSQLInTheHintBar() {
        let session = Self.session(unavailableWhere: "on a PostgreSQL store yet")
        session.send(.enter)
        guard case .detail = session.state.topScreen else { Issue.record("View did not open"); return }
        #expect(!Self.hintBar(session).contains("Resending"))
        session.send(.character("R"))
        #expect(session.state.notice?.text == "Resending is not available on a PostgreSQL store yet.")
        // The View pop-up covers the status line: the notice takes the hint bar.
        #expect(Self.hintBar(session).contains("Resending is not available on a PostgreSQL store yet."))
        guard case .detail = session.state.topScreen else { Issue.record("R left View"); return }
    }

    @Test func theWorkbenchSaysNotificationsAreOffOnPostgreSQL() {
        let session = Self.session(unavailableWhere: "on a PostgreSQL store yet")
        session.send(.character("w"))
        #expect(session.render().text.contains("Notifications are not available on a PostgreSQL store yet."))
        let plain = Self.session()
        plain.send(.character("w"))
        #expect(plain.render().text.contains("Notifications are not available here."))
    }
}
