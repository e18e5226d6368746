import Foundation
import PostgresNIO
import Testing
@testable import AuditStorePostgres

/// Schema version 12: every month's part of the search index is written in place
/// (`fastupdate = off`), the pending lists an older store gathered are merged by the upgrade,
/// and months created later get the same setting, so that no month's search reads (and no
/// generic plan prices) a pending list.
@Suite("PostgreSQL search keys written in place", .enabled(if: TestServer.isConfigured,
                                                          "needs a server: set EMAIL_AUDIT_TEST_POSTGRES_URL (scripts/pg_throwaway.sh start prints one; make unit does it)"))
struct PostgresSearchKeysInPlaceTests {
    let london = TimeZone(identifier: "Europe/London")!

    /// Each month's search index part: its storage settings and pending tuples.
    private func parts(_ db: BlockingPostgresConnection) throws -> [(name: String, options: [String], pending: Int64)] {
        try db.rows("""
            SELECT c.relname, coalesce(c.reloptions, '{}'), (pgstatginindex(c.oid)).pending_tuples
            FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'emails_search_keys'::regclass ORDER BY c.relname
            """).map { row in
                let (name, options, pending) = try row.decode((String, [String], Int64).self)
                return (name, options, pending)
            }
    }

    private func insertEmails(_ db: BlockingPostgresConnection, account: Int64, staff: Int64, month: String, count: Int) throws {
        try db.execute("SELECT email_audit_create_month_partitions(\(month)::timestamptz)")
        try db.execute("""
            INSERT INTO emails (account_id, created_at, raised_by_id, activity, to_address, subject, body)
            SELECT \(account), \(month)::timestamptz + n * interval '1 minute', \(staff), 'statement',
                   'tenant' || n || '@harbour.test', 'Statement for Flat ' || n || ', Wright Wharf', ''
            FROM generate_series(1, \(Int64(count))) n
            """)
    }

    @Test func version12MergesPendingListsAndWritesEveryMonthInPlace() throws {
        try TestServer.withFreshDatabase { location in
            let db = try TestServer.connect(location)
            defer { db.close() }
            #expect(try PostgresSchema.migrate(db, timeZone: london, upTo: 11) == 0)
            try db.execute("CREATE EXTENSION IF NOT EXISTS pgstattuple")
            let account = try db.rows("INSERT INTO accounts (name) VALUES ('Harbour Lets') RETURNING id").first!.decode(Int64.self)
            let staff = try db.rows("INSERT INTO staff (account_id, name, role) VALUES (\(account), 'Ann', 'Manager') RETURNING id")
                .first!.decode(Int64.self)
            for month in ["2026-03-01 12:00:00+00", "2026-06-01 12:00:00+00"] {
                try insertEmails(db, account: account, staff: staff, month: month, count: 300)
            }
            let before = try parts(db)
            #expect(before.contains { $0.pending > 0 }, "version 11 gathers a pending list: \(before)")
            #expect(before.allSatisfy { !$0.options.contains("fastupdate=off") })

            #expect(try PostgresSchema.migrate(db, timeZone: london) == 11)
            let after = try parts(db)
            #expect(after.count == before.count)
            #expect(after.allSatisfy { $0.options.contains("fastupdate=off") && $0.pending == 0 }, "\(after)")

            // A month created after the upgrade, and more emails in an old one: no pending list.
            try insertEmails(db, account: account, staff: staff, month: "2027-01-01 12:00:00+00", count: 300)
            try insertEmails(db, account: account, staff: staff, month: "2026-03-20 12:00:00+00", count: 50)
            let later = try parts(db)
            #expect(later.count > after.count)
            #expect(later.allSatisfy { $0.options.contains("fastupdate=off") && $0.pending == 0 }, "\(later)")

            // The index still finds them.
            let found = try db.rows("""
                SELECT count(*) FROM emails e WHERE \(unescaped: PostgresSearchKeys.expression(alias: "e")) @> ARRAY['t 7', 'ht ']
                  AND strpos(lower(e.subject COLLATE "C"), 'flat 7, wright') > 0
                """).first!.decode(Int64.self)
            #expect(found == 4, "Flat 7 in each of the four inserts")
        }
    }
}
