import AuditCore
import Foundation
import PostgresNIO
import Testing
@testable import AuditStorePostgres

/// `check` on PostgreSQL (``PostgresAuditStore/consistencyReport(indexes:)``): what the schema
/// keeps by triggers and by the ingest, recounted by the server in the store's zone, agrees
/// with the days the store's own writers count (Swift's), also on the days the clocks change;
/// each kind of damage is counted.
@Suite("PostgreSQL consistency check", .enabled(if: TestServer.isConfigured,
                                                "needs a server: set EMAIL_AUDIT_TEST_POSTGRES_URL (scripts/pg_throwaway.sh start prints one; make unit does it)"))
struct PostgresConsistencyCheckTests {
    /// Either side of local midnight on London's clock-change days of 2026 and at month ends.
    static let edges: [Date] = [
        utc(2025, 12, 31, 23, 59), utc(2026, 1, 1),
        utc(2026, 3, 28, 23, 59), utc(2026, 3, 29, 0, 59), utc(2026, 3, 29, 1), utc(2026, 3, 29, 22, 59),
        utc(2026, 3, 31, 22, 59), utc(2026, 3, 31, 23),
        utc(2026, 10, 24, 22, 59), utc(2026, 10, 24, 23), utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 1, 30), utc(2026, 10, 25, 23, 59),
    ]

    func recordedStore(_ db: BlockingPostgresConnection) throws -> PostgresAuditStore {
        let store = try PostgresAuditStore(connection: db)
        let account = try store.insertAccount(name: "Harbour Lets")
        let staff = try store.insertStaff(accountID: account.id, name: "Priya Shah", role: .staff)
        _ = try store.record(Self.edges.map { at in
            NewEmail(accountID: account.id, raisedByID: staff.id, activity: .receiptRecorded, to: "tenant@example.net",
                     from: "Harbour Lets <notices@mg.harbourlets.co.uk>", subject: "Statement", textBody: "", createdAt: at)
        })
        return store
    }

    @Test func aStoreWrittenByItsWritersIsConsistentAcrossClockChanges() throws {
        try TestServer.withMigratedStore { db in
            let store = try recordedStore(db)
            let report = try store.consistencyReport()
            #expect(report.problems == [])
            #expect(report.emails == Self.edges.count)
            #expect(report.events == 0)
            #expect(report.schemaVersion == PostgresSchema.version)
            #expect(report.timeZone == "Europe/London")
            #expect(report.rollupMismatches == ["rollups": 0, "rollups_monthly": 0, "rollups_yearly": 0])
            #expect(report.damagedIndexes == nil)
            // Both clock-change days as London counts them: 29/03 three emails, 25/10 four.
            let days = try db.rows("SELECT day, count FROM rollups ORDER BY day").map { try $0.decode((Int32, Int64).self) }
            #expect(days.first { Int($0.0) == CalendarDay(year: 2026, month: 3, day: 29).ordinal }?.1 == 3)
            #expect(days.first { Int($0.0) == CalendarDay(year: 2026, month: 10, day: 25).ordinal }?.1 == 4)
        }
    }

    @Test func eachKindOfDamageIsCounted() throws {
        try TestServer.withMigratedStore { db in
            let store = try recordedStore(db)
            let clockChange = CalendarDay(year: 2026, month: 10, day: 25).ordinal
            // A day's count one too many; a month's row that no email has.
            try db.execute("UPDATE rollups SET count = count + 1 WHERE day = \(Int32(clockChange))")
            try db.execute("""
                INSERT INTO rollups_monthly (account_id, month, raised_by_id, status, count)
                SELECT account_id, month + 1, raised_by_id, status, 1 FROM rollups_monthly ORDER BY month DESC LIMIT 1
                """)
            // An email's status row gone, another's key row at another time.
            try db.execute("DELETE FROM email_statuses WHERE id = (SELECT min(id) FROM email_statuses)")
            try db.execute("UPDATE email_keys SET created_at = created_at + interval '1 hour' WHERE id = (SELECT max(id) FROM email_keys)")
            let report = try store.consistencyReport()
            #expect(report.rollupMismatches == ["rollups": 1, "rollups_monthly": 1, "rollups_yearly": 0])
            #expect(report.statusMismatches == 1)
            #expect(report.keyMismatches == 1)
            #expect(report.problems == [
                "1 row of rollups differs from a recount of the emails",
                "1 row of rollups_monthly differs from a recount of the emails",
                "1 email whose email_statuses row is missing or differs",
                "1 email whose email_keys row is missing or differs",
            ])
        }
    }
}
