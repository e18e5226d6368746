import AuditCore
import Foundation
import PostgresNIO
import Testing
@testable import AuditStorePostgres

/// Schema version 8's `email_keys`: one row per email, whatever adds or removes emails.
@Suite("PostgreSQL email keys", .enabled(if: TestServer.isConfigured,
                                         "needs a server: set EMAIL_AUDIT_TEST_POSTGRES_URL (scripts/pg_throwaway.sh start prints one; make unit does it)"))
struct PostgresEmailKeysTests {
    /// Every (account, id, creation time) of `emails`, and of `email_keys`, sorted.
    func storedKeys(_ db: BlockingPostgresConnection) throws -> (emails: [String], keys: [String]) {
        func read(_ table: String) throws -> [String] {
            try db.rows(PostgresQuery(unsafeSQL: """
                SELECT account_id || '/' || id || '/' || to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS')
                FROM \(table) ORDER BY account_id, id
                """)).map { try $0.decode(String.self) }
        }
        return (try read("emails"), try read("email_keys"))
    }

    func account(_ db: BlockingPostgresConnection, _ name: String) throws -> (account: Int64, staff: Int64) {
        let account = try db.rows("INSERT INTO accounts (name) VALUES (\(name)) RETURNING id").first!.decode(Int64.self)
        let staff = try db.rows("""
            INSERT INTO staff (account_id, name, role) VALUES (\(account), 'Ann', 'Manager') RETURNING id
            """).first!.decode(Int64.self)
        return (account, staff)
    }

    /// Inserts one email per instant in one statement.
    func insertEmails(_ db: BlockingPostgresConnection, account: (account: Int64, staff: Int64), at times: [Date]) throws {
        try db.execute("""
            INSERT INTO emails (account_id, created_at, raised_by_id, activity, to_address, subject, body)
            SELECT \(account.account), t, \(account.staff), 'statement', 'tenant@example.com', 'Rent', ''
            FROM unnest(\(times)::timestamptz[]) AS t
            """)
    }

    @Test func version8FillsTheKeysOfAnOlderStore() throws {
        try TestServer.withFreshDatabase { location in
            let db = try TestServer.connect(location)
            defer { db.close() }
            #expect(try PostgresSchema.migrate(db, timeZone: TimeZone(identifier: "Europe/London")!, upTo: 7) == 0)
            try db.execute("SELECT email_audit_create_month_partitions(timestamptz '2026-03-01 00:00:00+00')")
            try db.execute("SELECT email_audit_create_month_partitions(timestamptz '2026-04-01 00:00:00+00')")
            let harbour = try account(db, "Harbour Lets"), quay = try account(db, "Quay Homes")
            try insertEmails(db, account: harbour, at: [utc(2026, 3, 10, 9), utc(2026, 4, 2, 8, 30)])
            try insertEmails(db, account: quay, at: [utc(2026, 3, 31, 23, 30)])
            #expect(try PostgresSchema.migrate(db, timeZone: TimeZone(identifier: "Europe/London")!) == 7)
            let (emails, keys) = try storedKeys(db)
            #expect(emails.count == 3)
            #expect(keys == emails)
        }
    }

    @Test func insertsDeletesAndRetentionKeepTheKeysExact() throws {
        try TestServer.withMigratedStore { db in
            try db.execute("SELECT email_audit_create_month_partitions(timestamptz '2026-08-01 00:00:00+00')")
            try db.execute("SELECT email_audit_create_month_partitions(timestamptz '2026-09-01 00:00:00+00')")
            try db.execute("SELECT email_audit_create_month_partitions(timestamptz '2026-10-01 00:00:00+00')")
            let harbour = try account(db, "Harbour Lets"), quay = try account(db, "Quay Homes")
            // August and September (Europe/London: BST) in one statement, October in another.
            try insertEmails(db, account: harbour, at: [utc(2026, 8, 3, 9), utc(2026, 8, 31, 22, 59), utc(2026, 9, 30, 12)])
            try insertEmails(db, account: quay, at: [utc(2026, 8, 20, 10), utc(2026, 10, 1, 8)])
            var (emails, keys) = try storedKeys(db)
            #expect(emails.count == 5)
            #expect(keys == emails)

            // A delete (as a hand-over merge's) takes its key with it; the other account's stays.
            try db.execute("DELETE FROM emails WHERE account_id = \(quay.account) AND created_at = \(utc(2026, 8, 20, 10))")
            (emails, keys) = try storedKeys(db)
            #expect(emails.count == 4)
            #expect(keys == emails)

            // Retention before 30/09 14:00 BST: August's partition is dropped (no trigger runs), the
            // email of 30/09 13:00 BST deleted by the batch path. Only October's email and its key stay.
            let store = try PostgresAuditStore(connection: db)
            let report = try store.applyRetention(before: utc(2026, 9, 30, 13), batchSize: 1) { _ in }
            #expect(report.emails == 3)
            (emails, keys) = try storedKeys(db)
            #expect(emails.count == 1)
            #expect(keys == emails)
            #expect(keys.first?.hasPrefix("\(quay.account)/") == true)
        }
    }
}
