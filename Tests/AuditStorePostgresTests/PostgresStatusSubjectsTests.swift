import Foundation
import PostgresNIO
import Testing
@testable import AuditStorePostgres

/// Schema version 13: `email_statuses` holds each email's subject, filled for the emails an
/// older store has and kept by the triggers as emails are added, change subject or go.
@Suite("PostgreSQL subjects beside statuses", .enabled(if: TestServer.isConfigured,
                                                      "needs a server: set EMAIL_AUDIT_TEST_POSTGRES_URL (scripts/pg_throwaway.sh start prints one; make unit does it)"))
struct PostgresStatusSubjectsTests {
    let london = TimeZone(identifier: "Europe/London")!

    /// Emails whose subject in `email_statuses` differs from their own, and the rows of each.
    private func mismatches(_ db: BlockingPostgresConnection) throws -> (differing: Int64, emails: Int64, statuses: Int64) {
        let row = try db.rows("""
            SELECT (SELECT count(*) FROM emails e LEFT JOIN email_statuses s ON s.account_id = e.account_id AND s.id = e.id
                    WHERE s.subject IS DISTINCT FROM e.subject),
                   (SELECT count(*) FROM emails), (SELECT count(*) FROM email_statuses)
            """).first!
        let (differing, emails, statuses) = try row.decode((Int64, Int64, Int64).self)
        return (differing, emails, statuses)
    }

    @Test func version13CopiesSubjectsAndTheTriggersKeepThem() throws {
        try TestServer.withFreshDatabase { location in
            let db = try TestServer.connect(location)
            defer { db.close() }
            #expect(try PostgresSchema.migrate(db, timeZone: london, upTo: 12) == 0)
            let account = try db.rows("INSERT INTO accounts (name) VALUES ('Harbour Lets') RETURNING id").first!.decode(Int64.self)
            let staff = try db.rows("INSERT INTO staff (account_id, name, role) VALUES (\(account), 'Ann', 'Manager') RETURNING id")
                .first!.decode(Int64.self)
            func insert(_ count: Int64, at month: String, subject: String) throws {
                try db.execute("SELECT email_audit_create_month_partitions(\(month)::timestamptz)")
                try db.execute("""
                    INSERT INTO emails (account_id, created_at, raised_by_id, activity, to_address, subject, body)
                    SELECT \(account), \(month)::timestamptz + n * interval '1 minute', \(staff), 'statement',
                           'tenant' || n || '@harbour.test', \(subject) || n, ''
                    FROM generate_series(1, \(count)) n
                    """)
            }
            try insert(40, at: "2026-03-01 12:00:00+00", subject: "Statement for Flat ")
            try insert(1, at: "2026-04-01 12:00:00+00", subject: "")
            #expect(try db.rows("SELECT count(*) FROM information_schema.columns WHERE table_name = 'email_statuses' AND column_name = 'subject'")
                .first!.decode(Int64.self) == 0)

            #expect(try PostgresSchema.migrate(db, timeZone: london) == 12)
            #expect(try mismatches(db) == (0, 41, 41))

            // Added, given a subject later (an External email's headers), deleted.
            try insert(10, at: "2026-06-01 12:00:00+00", subject: "Receipt ")
            try db.execute("UPDATE emails SET subject = 'Filled in from the headers' WHERE subject = '1'")
            try db.execute("UPDATE emails SET status = 6 WHERE subject LIKE 'Receipt %'")
            try db.execute("DELETE FROM emails WHERE subject LIKE 'Statement for Flat 1%'")
            #expect(try mismatches(db) == (0, 40, 40))
            #expect(try db.rows("SELECT count(*) FROM email_statuses WHERE subject = 'Filled in from the headers'").first!.decode(Int64.self) == 1)
        }
    }
}
