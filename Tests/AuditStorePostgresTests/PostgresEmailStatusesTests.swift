import AuditCore
import Foundation
import PostgresNIO
import Testing
@testable import AuditStorePostgres

/// Schema version 9's `email_statuses`: one row per email with its current status, raiser and
/// address, whatever adds, changes or removes emails; no status left in `emails`' indexes, so a
/// status update of `emails` is HOT.
@Suite("PostgreSQL email statuses", .enabled(if: TestServer.isConfigured,
                                             "needs a server: set EMAIL_AUDIT_TEST_POSTGRES_URL (scripts/pg_throwaway.sh start prints one; make unit does it)"))
struct PostgresEmailStatusesTests {
    let london = TimeZone(identifier: "Europe/London")!

    /// Every (account, id, creation time, raiser, status, address) of `emails` and of `email_statuses`, sorted.
    func statusRows(_ db: BlockingPostgresConnection) throws -> (emails: [String], statuses: [String]) {
        func read(_ table: String) throws -> [String] {
            try db.rows(PostgresQuery(unsafeSQL: """
                SELECT account_id || '/' || id || '/' || to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS')
                       || '/' || raised_by_id || '/' || status || '/' || to_address
                FROM \(table) ORDER BY account_id, id
                """)).map { try $0.decode(String.self) }
        }
        return (try read("emails"), try read("email_statuses"))
    }

    func account(_ db: BlockingPostgresConnection, _ name: String) throws -> (account: Int64, staff: Int64) {
        let account = try db.rows("INSERT INTO accounts (name) VALUES (\(name)) RETURNING id").first!.decode(Int64.self)
        let staff = try db.rows("""
            INSERT INTO staff (account_id, name, role) VALUES (\(account), 'Ann', 'Manager') RETURNING id
            """).first!.decode(Int64.self)
        return (account, staff)
    }

    /// Inserts one email per instant in one statement.
    func insertEmails(_ db: BlockingPostgresConnection, account: (account: Int64, staff: Int64), at times: [Date],
                      to address: String = "tenant@example.com") throws {
        try db.execute("""
            INSERT INTO emails (account_id, created_at, raised_by_id, activity, to_address, subject, body)
            SELECT \(account.account), t, \(account.staff), 'statement', \(address), 'Rent', ''
            FROM unnest(\(times)::timestamptz[]) AS t
            """)
    }

    /// The definitions of every index on `emails` and its partitions.
    func emailIndexes(_ db: BlockingPostgresConnection) throws -> [String] {
        try db.rows("""
            SELECT indexdef FROM pg_indexes
            WHERE tablename = 'emails' OR tablename IN (SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                                                       WHERE i.inhparent = 'emails'::regclass)
            """).map { try $0.decode(String.self) }
    }

    @Test func version9FillsTheStatusesAndTakesTheStatusOutOfEveryIndexOfEmails() throws {
        try TestServer.withFreshDatabase { location in
            let db = try TestServer.connect(location)
            defer { db.close() }
            #expect(try PostgresSchema.migrate(db, timeZone: london, upTo: 8) == 0)
            try db.execute("SELECT email_audit_create_month_partitions(timestamptz '2026-03-01 00:00:00+00')")
            let harbour = try account(db, "Harbour Lets"), quay = try account(db, "Quay Homes")
            try insertEmails(db, account: harbour, at: [utc(2026, 3, 10, 9), utc(2026, 3, 12, 8, 30)])
            try insertEmails(db, account: quay, at: [utc(2026, 3, 31, 22, 30)], to: "owner@example.org")
            try db.execute("UPDATE emails SET status = \(Int16(EmailStatus.failed.code)) WHERE account_id = \(quay.account)")
            #expect(try emailIndexes(db).contains { $0.contains("status") })

            #expect(try PostgresSchema.migrate(db, timeZone: london) == 8)
            let (emails, statuses) = try statusRows(db)
            #expect(emails.count == 3)
            #expect(statuses == emails)
            let indexes = try emailIndexes(db)
            #expect(indexes.count > 10)
            #expect(!indexes.contains { $0.contains("status") })
            // Room for HOT updates: the month that existed and a month made after the upgrade (fill
            // factor 50 since version 9, 45 since version 14).
            try db.execute("SELECT email_audit_create_month_partitions(timestamptz '2026-05-01 00:00:00+00')")
            let options = try db.rows("""
                SELECT c.relname, coalesce(array_to_string(c.reloptions, ','), '') FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                WHERE i.inhparent = 'emails'::regclass ORDER BY 1
                """).map { try $0.decode((String, String).self) }
            #expect(options.map(\.0) == ["emails_y2026m03", "emails_y2026m05"])
            #expect(options.allSatisfy { $0.1 == "fillfactor=45" })
        }
    }

    @Test func insertsUpdatesDeletesAndRetentionKeepTheStatusesExact() throws {
        try TestServer.withMigratedStore { db in
            for month in ["2026-08-01", "2026-09-01", "2026-10-01"] {
                try db.execute("SELECT email_audit_create_month_partitions(\(month)::timestamptz)")
            }
            let harbour = try account(db, "Harbour Lets"), quay = try account(db, "Quay Homes")
            try insertEmails(db, account: harbour, at: [utc(2026, 8, 3, 9), utc(2026, 8, 31, 22, 59), utc(2026, 9, 30, 12)])
            try insertEmails(db, account: quay, at: [utc(2026, 8, 20, 10), utc(2026, 10, 1, 8)])
            var (emails, statuses) = try statusRows(db)
            #expect(emails.count == 5)
            #expect(statuses == emails)

            // The ingest's kind of update (status, detail, last event), in one statement for several
            // emails; then a raiser and an address changed; then an update that changes none of the three.
            try db.execute("""
                UPDATE emails SET status = \(Int16(EmailStatus.delivered.code)), last_event_at = created_at,
                    status_detail = '{"code": 250}'::jsonb
                WHERE account_id = \(harbour.account)
                """)
            let other = try db.rows("""
                INSERT INTO staff (account_id, name, role) VALUES (\(harbour.account), 'Bo', 'Manager') RETURNING id
                """).first!.decode(Int64.self)
            try db.execute("""
                UPDATE emails SET raised_by_id = \(other), to_address = 'new@example.com'
                WHERE account_id = \(harbour.account) AND created_at = \(utc(2026, 9, 30, 12))
                """)
            try db.execute("UPDATE emails SET last_event_at = now() WHERE account_id = \(quay.account)")
            (emails, statuses) = try statusRows(db)
            #expect(emails.filter { $0.hasSuffix("/\(EmailStatus.delivered.code)/tenant@example.com") }.count == 2)
            #expect(emails.contains { $0.hasSuffix("/\(other)/\(EmailStatus.delivered.code)/new@example.com") })
            #expect(statuses == emails)

            // A delete (as a hand-over merge's) takes its row with it; the other account's stays.
            try db.execute("DELETE FROM emails WHERE account_id = \(quay.account) AND created_at = \(utc(2026, 8, 20, 10))")
            (emails, statuses) = try statusRows(db)
            #expect(emails.count == 4)
            #expect(statuses == emails)

            // Retention before 30/09 14:00 BST: August's partition is dropped (no trigger runs), the
            // email of 30/09 13:00 BST deleted by the batch path. Only October's email stays.
            let store = try PostgresAuditStore(connection: db)
            let report = try store.applyRetention(before: utc(2026, 9, 30, 13), batchSize: 1) { _ in }
            #expect(report.emails == 3)
            (emails, statuses) = try statusRows(db)
            #expect(emails.count == 1)
            #expect(statuses == emails)
            #expect(statuses.first?.hasPrefix("\(quay.account)/") == true)
        }
    }

    @Test func aStatusUpdateOfEmailsIsHOT() throws {
        try TestServer.withMigratedStore { db in
            try db.execute("SELECT email_audit_create_month_partitions(timestamptz '2026-08-01 00:00:00+00')")
            let harbour = try account(db, "Harbour Lets")
            // Ten small rows: one page, half of it kept free, room for every row's new version.
            try insertEmails(db, account: harbour, at: (0..<10).map { utc(2026, 8, 3, 9, $0) })
            // This transaction's own counts (pg_stat_xact_*): every updated row stayed on its page
            // (none would while the status was in one of emails' indexes).
            let counts = try db.transaction { db in
                try db.execute("""
                    UPDATE emails SET status = \(Int16(EmailStatus.opened.code)), last_event_at = created_at,
                        status_detail = '{"code": 250}'::jsonb
                    WHERE account_id = \(harbour.account)
                    """)
                return try db.rows("""
                    SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables WHERE relname = 'emails_y2026m08'
                    """).first!.decode((Int64, Int64).self)
            }
            #expect(counts.0 == 10)
            #expect(counts.1 == 10)
        }
    }
}
