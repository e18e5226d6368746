import AuditCore
import Foundation
import PostgresNIO
import Testing
@testable import AuditStorePostgres

/// The PostgreSQL reader's first pages read an index range, not the table: on 150,000 emails
/// over nine months with bodies of a usual size (statistics gathered), the plan of each filter's first page reads no
/// month partition of `emails` with more than 5,000 rows whole (the planner rightly reads a
/// month of a few days, or an empty one, in one sequential pass).
@Suite("Store contract: PostgreSQL reader plans", .enabled(if: Backend.serverURL != nil, "needs a PostgreSQL server"))
struct PostgresReaderPlanTests {
    @Test func firstPagesReadIndexRanges() throws {
        let now = utc(2026, 12, 4, 12)
        try withStore(.postgres, now: now) { contract in
            let store = contract.store
            let account = try store.insertAccount(name: "Harbour Lets")
            let staff = try (0..<3).map { try store.insertStaff(accountID: account.id, name: "Staff \($0)", role: .staff) }
            _ = try store.insertAccount(name: "Aldgate Estates")
            try contract.withSecondPostgresStore { pg in
                let db = pg.connection
                var month = utc(2026, 3, 15)
                while month < utc(2027, 1, 1) {
                    try PostgresPartitions.create(for: month, in: db)
                    month = month.addingTimeInterval(30 * 86_400)
                }
                // One email every 160 seconds back from now, each with a 600-byte body (a usual
                // letter; bodies make a partition's pages, which a sequential read pays for); 1 in
                // 500 Rejected, the rest Delivered.
                try db.execute("""
                    INSERT INTO emails (account_id, created_at, raised_by_id, activity, to_address, subject, body, status)
                    SELECT \(account.id), timestamptz '2026-12-04 12:00:00+00' - g * interval '160 seconds',
                           CASE g % 3 WHEN 0 THEN \(staff[0].id) WHEN 1 THEN \(staff[1].id) ELSE \(staff[2].id) END,
                           'receipt', 'tenant' || (g % 5000) || '@example' || (g % 40) || '.net', 'Rent receipt ' || g,
                           left(repeat('Dear tenant, thank you for your payment of ' || g || '. ', 20), 600),
                           CASE WHEN g % 500 = 0 THEN \(Int16(EmailStatus.rejected.code)) ELSE \(Int16(EmailStatus.delivered.code)) END
                    FROM generate_series(1, 150000) g
                    """)
                try db.execute("ANALYZE")
                let full = try db.rows("SELECT tableoid::regclass::text FROM emails GROUP BY 1 HAVING count(*) > 5000")
                    .map { try $0.decode(String.self) }
                #expect(full.count >= 8)
                let filters: [EmailFilter] = [
                    EmailFilter(dateRange: .all), EmailFilter(dateRange: .last7Days),
                    EmailFilter(statuses: [.rejected], dateRange: .all),
                    EmailFilter(raisedBy: [staff[0].id], statuses: [.rejected, .failed], dateRange: .all),
                    EmailFilter(raisedBy: [staff[1].id], dateRange: .last30Days),
                    EmailFilter(to: AddressPattern(parsing: "tenant7@example7.net"), dateRange: .all),
                    EmailFilter(to: AddressPattern(parsing: "*@example3.net"), dateRange: .all),
                    EmailFilter(to: AddressPattern(parsing: "tenant12*"), dateRange: .all),
                    EmailFilter(to: AddressPattern(parsing: "tenant4999*"), dateRange: .all),
                    EmailFilter(subject: "receipt 19999", dateRange: .all),
                    EmailFilter(subject: "Rent", dateRange: .all),
                    EmailFilter(statuses: [.rejected], subject: "receipt 1", dateRange: .thisMonth),
                ]
                for filter in filters {
                    // The first page each way, and the second page (from the first's last row).
                    let first = try pg.summaries(matching: filter, accountID: account.id, from: nil, direction: .older, limit: 50, now: now)
                    for (cursor, direction) in [(nil, PageDirection.older), (first.last?.cursor, .older), (nil, .newer)]
                        as [(EmailCursor?, PageDirection)] {
                        let query = try #require(try pg.summaryQuery(matching: filter, accountID: account.id, from: cursor,
                                                                     direction: direction, limit: 50, now: now))
                        let plan = try db.rows(PostgresQuery(unsafeSQL: "EXPLAIN " + query.sql, binds: query.binds))
                            .map { try $0.decode(String.self) }.joined(separator: "\n")
                        for partition in full {
                            #expect(!plan.contains("Seq Scan on \(partition) "), "\(filter) \(direction):\n\(plan)")
                        }
                        // A To prefix of a few addresses is read in month windows (pg-reader-speed's
                        // expectation): the first may be a small month (this month so far), which
                        // PostgreSQL may read whole; a month of more than 5,000 rows is read by index.
                        #expect(plan.contains("Index") || !full.contains { plan.contains("on \($0) ") }, "\(filter) \(direction):\n\(plan)")
                        // A prepared page runs a generic plan (made without the values): the same
                        // (a To prefix's statement needs its addresses: nil here, skipped).
                        if pg.preparesPage(of: filter),
                           let page = try pg.pageStatement(matching: filter, addresses: [], accountID: account.id, from: cursor,
                                                           direction: direction, limit: 50, now: now) {
                            try db.execute("SET plan_cache_mode = force_generic_plan")
                            try db.execute(PostgresQuery(unsafeSQL: "PREPARE plan_test AS " + page.query.sql))
                            let execute = page.arguments.isEmpty ? "EXECUTE plan_test" : "EXECUTE plan_test(\(page.arguments.joined(separator: ", ")))"
                            let generic = try db.rows(PostgresQuery(unsafeSQL: "EXPLAIN " + execute)).map { try $0.decode(String.self) }
                                .joined(separator: "\n")
                            try db.execute("DEALLOCATE plan_test")
                            try db.execute("RESET plan_cache_mode")
                            for partition in full {
                                #expect(!generic.contains("Seq Scan on \(partition) "), "generic \(filter) \(direction):\n\(generic)")
                            }
                        }
                    }
                    // And the page is the right one (the model is the generator's rule).
                    let page = try pg.summaries(matching: filter, accountID: account.id, from: nil, direction: .older, limit: 5, now: now)
                    #expect(page.allSatisfy { (filter.to?.matches($0.to) ?? true) && filter.subjectMatches($0.subject) }, "\(filter)")
                    #expect(page == page.sorted { $0.createdAt != $1.createdAt ? $0.createdAt > $1.createdAt : $0.id > $1.id })
                }
            }
        }
    }
}
