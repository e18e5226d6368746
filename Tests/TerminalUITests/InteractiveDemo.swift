import AuditCore
import Foundation
import Testing
import TerminalUI

/// Opens the real curses screen on the fake store, for trying the UI by hand before the
/// CLI is wired up. Skipped unless EMAIL_AUDIT_TTY_DEMO is set; run it in a terminal:
///
///     EMAIL_AUDIT_TTY_DEMO=1 .build-ui/debug/email-auditPackageTests.xctest \
///         --testing-library swift-testing --filter InteractiveDemo
@Suite struct InteractiveDemo {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["EMAIL_AUDIT_TTY_DEMO"] != nil))
    func runOnTheFakeStore() throws {
        let environment = ProcessInfo.processInfo.environment
        let options = TerminalOptions(accountID: 1, accountName: "Acme Lettings", userName: "Jo Bloggs",
                                      initialFilter: EmailFilter(dateRange: .all),
                                      colorEnabled: environment["NO_COLOR"] == nil,
                                      mouseEnabled: environment["EMAIL_AUDIT_NO_MOUSE"] == nil)
        let fake = FakeAuditReader(empty: environment["EMAIL_AUDIT_EMPTY"] != nil)
        let reader: any AuditReader = environment["EMAIL_AUDIT_CRASH_ON_VIEW"] != nil ? CrashingReader(base: fake) : fake
        try runEmailAuditTerminal(reader: reader, options: options)
    }
}

/// A reader that crashes when an email is opened: for checking by hand that a crash
/// still restores the terminal (EMAIL_AUDIT_CRASH_ON_VIEW=1).
struct CrashingReader: AuditReader {
    let base: FakeAuditReader
    func summaries(matching filter: EmailFilter, from cursor: EmailCursor?, direction: PageDirection,
                   limit: Int, now: Date) throws -> [EmailSummary] {
        try base.summaries(matching: filter, from: cursor, direction: direction, limit: limit, now: now)
    }
    func statusCounts(matching filter: EmailFilter, now: Date) throws -> StatusCounts {
        try base.statusCounts(matching: filter, now: now)
    }
    func detail(emailID: Int64) throws -> EmailDetail? { fatalError("deliberate crash for the terminal-restore check") }
    func unitSearch(address: String) throws -> [UnitContactRow] { try base.unitSearch(address: address) }
    func staff(accountID: Int64?) throws -> [StaffUser] { try base.staff(accountID: accountID) }
    func accounts() throws -> [Account] { try base.accounts() }
    func selectAccount(_ accountID: Int64) throws -> Account { try base.selectAccount(accountID) }
    func suppressions() throws -> [SuppressionEntry] { try base.suppressions() }
    func suppression(for address: String) throws -> SuppressionEntry? { try base.suppression(for: address) }
    func suppressionHistory(address: String) throws -> [SuppressionHistoryItem] { try base.suppressionHistory(address: address) }
    func changeToken() throws -> Int64 { try base.changeToken() }
    func emailIDs(messageID: String, accountID: Int64?) throws -> [Int64] {
        try base.emailIDs(messageID: messageID, accountID: accountID)
    }
    func domainBreakdown(matching filter: EmailFilter, now: Date) throws -> [DomainFailures] {
        try base.domainBreakdown(matching: filter, now: now)
    }
    func handOverHealth(accountID: Int64?, now: Date) throws -> HandOverHealth {
        try base.handOverHealth(accountID: accountID, now: now)
    }
}
