import AuditCore
import AuditStore
import Foundation
import Logging
@testable import Server
import Testing

/// `serve`'s daily retention: one run deletes the emails before the cut and leaves the rest.
@Suite struct RetentionServiceTests {
    @Test func aRunDeletesTheEmailsBeforeLocalMidnightMonthsAgo() async throws {
        let fixture = try ServerFixture()
        let store = fixture.store
        let staff = try store.insertStaff(accountID: fixture.account.id, name: "Retention Tester", role: .staff)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        func utc(_ month: Int, _ day: Int, _ hour: Int, _ minute: Int = 0) -> Date {
            calendar.date(from: DateComponents(year: 2026, month: month, day: day, hour: hour, minute: minute))!
        }
        // Now: 15/07/2026; two months: the cut is 15/05/2026 00:00 BST (23:00 UTC on the 14th).
        let instants = [utc(5, 14, 22, 59), utc(5, 14, 23), utc(6, 1, 12)]
        _ = try store.record(instants.map { at in
            NewEmail(accountID: fixture.account.id, raisedByID: staff.id, activity: .receiptRecorded, to: "t@example.net",
                     from: "a@mg.example.com", subject: "S", textBody: "B", createdAt: at)
        })
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let service = RetentionService(store: store, months: 2, logger: logger, batchSize: 1)
        await service.runOnce(now: utc(7, 15, 9))
        let left = try store.emailCount(), total = try store.emailCount(createdBefore: utc(12, 1, 0))
        #expect(left == 2 && total == 2)
        #expect(try store.emailCount(createdBefore: utc(5, 14, 23, 1)) == 1, "the email at the cut stays")
        // The next day's run finds nothing more.
        await service.runOnce(now: utc(7, 16, 9))
        #expect(try store.emailCount() == 1)
    }
}
