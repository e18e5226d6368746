import AuditCore
import Foundation
import PostgresNIO
import Testing
@testable import AuditStorePostgres

/// The PostgreSQL ingest's look-ups are index probes before any statistics exist: on 60,000
/// emails and 180,000 events written and never analysed (a store just filled by `migrate`, or
/// a month partition the ingest is filling before autovacuum reaches it), the plans of the
/// audit ids' `email_keys` probe and of the events read back for the derivation read neither
/// table whole. Joined to `accounts` and to the unnest instead, both were read whole (for every
/// id, for every email) on a 300,000-email store: 7,995 falling to 557 events/s.
@Suite("Store contract: PostgreSQL ingest plans", .enabled(if: Backend.serverURL != nil, "needs a PostgreSQL server"))
struct PostgresIngestPlanTests {
    @Test func lookUpsProbeIndexesWithoutStatistics() throws {
        let now = utc(2026, 12, 4, 12)
        try withStore(.postgres, now: now) { contract in
            let store = contract.store
            let account = try store.insertAccount(name: "Harbour Lets")
            let staff = try store.insertStaff(accountID: account.id, name: "Staff", role: .staff)
            _ = try store.insertAccount(name: "Aldgate Estates")
            try contract.withSecondPostgresStore { pg in
                let db = pg.connection
                for month in [utc(2026, 9, 15), utc(2026, 10, 15), utc(2026, 11, 15), utc(2026, 12, 2)] {
                    try PostgresPartitions.create(for: month, in: db)
                }
                // One email every 120 seconds back from now (about 83 days), three events each.
                try db.execute("""
                    INSERT INTO emails (account_id, created_at, raised_by_id, activity, to_address, subject, body, status)
                    SELECT \(account.id), timestamptz '2026-12-04 11:00:00+00' - g * interval '120 seconds', \(staff.id),
                           'receipt', 'tenant' || (g % 5000) || '@example.net', 'Rent receipt ' || g, 'Dear tenant', 2
                    FROM generate_series(1, 60000) g
                    """)
                try db.execute("""
                    INSERT INTO events (account_id, email_created_at, email_id, key_hash, event_key, provider_event_id, kind,
                                        occurred_at, raw_json)
                    SELECT e.account_id, e.created_at, e.id, e.id * 4 + n, 'key-' || e.id || '-' || n, 'event-' || e.id || '-' || n,
                           'delivered', e.created_at + n * interval '1 second', '\\x00'::bytea
                    FROM emails e CROSS JOIN generate_series(1, 3) n
                    """)
                // Never analysed (unless autovacuum got there first: then the plans must be probes all the more).
                let analysed = try db.rows("SELECT count(*) FROM pg_stat_user_tables WHERE relname = 'email_keys' AND coalesce(last_analyze, last_autoanalyze) IS NOT NULL")
                    .map { try $0.decode(Int64.self) }
                if analysed.first != 0 { print("note: autovacuum analysed email_keys before the plans were read") }

                let keys = try db.rows("SELECT id, account_id, created_at FROM emails ORDER BY id LIMIT 2000 OFFSET 30000")
                    .map { try $0.decode((Int64, Int64, Date).self) }
                let ids = keys.map(\.0)
                let emailKeys = keys.map { PostgresEventIngest.EmailKey(accountID: $0.1, createdAt: $0.2, messageID: nil, to: "") }
                #expect(ids.count == 2000)

                func plan(_ query: PostgresQuery) throws -> String {
                    try db.rows(PostgresQuery(unsafeSQL: "EXPLAIN " + query.sql, binds: query.binds))
                        .map { try $0.decode(String.self) }.joined(separator: "\n")
                }
                let probe = try plan(PostgresEventIngest.emailKeysQuery(ids))
                #expect(!probe.contains("Seq Scan on email_keys"), "\(probe)")
                #expect(probe.contains("email_keys_pkey"), "\(probe)")
                let events = try plan(PostgresEventIngest.eventsQuery(keys: emailKeys, ids: ids))
                #expect(!events.contains("Seq Scan on events"), "\(events)")
                #expect(events.contains("Index"), "\(events)")

                // And they answer: every id's key, every email's three events.
                let found = try db.rows(PostgresEventIngest.emailKeysQuery(ids)).map { try $0.decode((Int64, Int64, Date).self) }
                #expect(Set(found.map(\.0)) == Set(ids))
                #expect(found.allSatisfy { $0.1 == account.id })
                let read = try db.rows(PostgresEventIngest.eventsQuery(keys: emailKeys, ids: ids)).count
                #expect(read == 3 * ids.count)
            }
        }
    }
}
