import AuditCore
import Foundation
import PostgresNIO
import Testing
@testable import AuditStorePostgres

/// Schema version 14: `emails`' months keep room on every page for a wider new version of each
/// row, so the ingest's status update of a whole page of emails at once stays on the page (HOT)
/// and writes no index entry.
@Suite("PostgreSQL room for status updates", .enabled(if: TestServer.isConfigured,
                                                      "needs a server: set EMAIL_AUDIT_TEST_POSTGRES_URL (scripts/pg_throwaway.sh start prints one; make unit does it)"))
struct PostgresRoomForStatusUpdatesTests {
    let london = TimeZone(identifier: "Europe/London")!

    /// Inserts `count` emails of the benchmark's width (a 50-character subject, a 220-character
    /// body) created a minute apart from `start`, in one statement; returns the account.
    func insertWideEmails(_ db: BlockingPostgresConnection, count: Int, from start: Date) throws -> Int64 {
        let account = try db.rows("INSERT INTO accounts (name) VALUES ('Harbour Lets') RETURNING id").first!.decode(Int64.self)
        let staff = try db.rows("""
            INSERT INTO staff (account_id, name, role) VALUES (\(account), 'Ann', 'Manager') RETURNING id
            """).first!.decode(Int64.self)
        try db.execute("""
            INSERT INTO emails (account_id, created_at, raised_by_id, activity, to_address, subject, body)
            SELECT \(account), \(start)::timestamptz + n * interval '1 minute', \(staff), 'statement',
                   'tenant' || n || '@example.com', 'Statement of account for Flat ' || n || repeat('.', 30),
                   repeat('Please find attached your statement. ', 6)
            FROM generate_series(1, \(count)) AS n
            """)
        return account
    }

    /// Updates every email of `account` as the ingest does (status, a status detail of ~80 bytes,
    /// last event) in one statement; returns (rows updated, rows updated on their own page).
    func updateAsTheIngest(_ db: BlockingPostgresConnection, account: Int64, partition: String) throws -> (Int64, Int64) {
        try db.transaction { db in
            try db.execute("""
                UPDATE emails SET status = \(Int16(EmailStatus.delivered.code)), last_event_at = created_at + interval '5 seconds',
                    status_detail = '{"status": 4, "code": 250, "message": "OK", "mxHost": "mx1.example-mail.net", "at": 1780000000}'::jsonb
                WHERE account_id = \(account)
                """)
            return try db.rows("""
                SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables WHERE relname = \(partition)
                """).first!.decode((Int64, Int64).self)
        }
    }

    @Test func aWholePageOfStatusUpdatesStaysOnItsPage() throws {
        try TestServer.withFreshDatabase { location in
            let db = try TestServer.connect(location)
            defer { db.close() }
            // Version 13 (fill factor 50): the last rows of a full page do not fit.
            #expect(try PostgresSchema.migrate(db, timeZone: london, upTo: 13) == 0)
            try db.execute("SELECT email_audit_create_month_partitions(timestamptz '2026-03-01 00:00:00+00')")
            let before = try insertWideEmails(db, count: 300, from: utc(2026, 3, 2, 8))
            let old = try updateAsTheIngest(db, account: before, partition: "emails_y2026m03")
            #expect(old.0 == 300)
            #expect(old.1 < 300)

            #expect(try PostgresSchema.migrate(db, timeZone: london) == 13)
            // Every month, the one that existed and one made after the upgrade, keeps the room.
            try db.execute("SELECT email_audit_create_month_partitions(timestamptz '2026-04-01 00:00:00+00')")
            let options = try db.rows("""
                SELECT c.relname, coalesce(array_to_string(c.reloptions, ','), '') FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                WHERE i.inhparent = 'emails'::regclass ORDER BY 1
                """).map { try $0.decode((String, String).self) }
            #expect(options.map(\.0) == ["emails_y2026m03", "emails_y2026m04"])
            #expect(options.allSatisfy { $0.1 == "fillfactor=45" })
            // Pages filled since: every row's update stays on its page.
            let after = try insertWideEmails(db, count: 300, from: utc(2026, 4, 2, 8))
            let new = try updateAsTheIngest(db, account: after, partition: "emails_y2026m04")
            #expect(new.0 == 300)
            #expect(new.1 == 300)
        }
    }
}
