import AuditCore
import Foundation
import GRDB
import Testing
@testable import AuditStore

/// Schema v9's indexes: each index of `emails` is the one SQLite uses for its query on a store
/// with statistics (`ANALYZE`), and a v8 store upgrades to them with the same answers.
@Suite("Indexes that earn their keep")
struct IndexUseTests {
    /// The indexes of `emails` and the query each is for (Schema v9's comment); a new index must
    /// be added here with its query.
    static let emailIndexes: Set<String> = [
        "emails_message_hash", "emails_account_created", "emails_account_status_created", "emails_raised_created",
        "emails_raised_status_created", "emails_to_created", "emails_account_domain_created", "emails_pending",
        "emails_account_failure_address", "emails_account_host",
    ]

    static func plan(_ store: AuditDatabase, _ sql: String, _ arguments: StatementArguments) throws -> String {
        try store.pool.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments).map { $0["detail"] as String }
        }.joined(separator: " | ")
    }

    @Test func everyIndexOfEmailsIsAccountedFor() throws {
        let f = try Fixture()
        let names = try f.store.pool.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'emails' AND sql IS NOT NULL")
        }
        #expect(Set(names) == Self.emailIndexes)
        #expect(EmailQueryPlanner.failureStatusCondition
                == "(\(DomainFailures.statuses.map(\.code).sorted().map { "status = \($0)" }.joined(separator: " OR ")))")
    }

    @Test func theMainQueriesUseTheirIndexOnAStoreWithStatistics() throws {
        let data = try PagingData(count: 600)
        let store = data.store, account = data.fixture.account.id
        try store.updateStatistics()
        #expect(try store.pool.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'emails'") ?? 0 } > 0)
        let all = TimeSpan(start: nil, end: nil)
        let week = EmailFilter(accountID: account, dateRange: .last7Days).dateRange.interval(now: data.now, timeZone: london)

        // Failures by domain, with and without a date range: the failures-only covering index.
        for span in [all, week] {
            let query = EmailQueryPlanner.domainBreakdownQuery(EmailFilter(accountID: account, dateRange: .all), span: span,
                                                               statuses: DomainFailures.statuses, subjectMatch: nil)
            let plan = try Self.plan(store, query.sql, query.arguments)
            #expect(plan.contains("USING COVERING INDEX emails_account_failure_address (account_id=? AND status=?)"), "\(plan)")
        }
        // Counts for To *@domain: SQLite's own choice is the (account, domain, date) index.
        let domain = EmailQueryPlanner.statusCountQuery(EmailFilter(accountID: account, to: .domain("example.net"), dateRange: .all),
                                                        span: all, subjectMatch: nil)
        let domainPlan = try Self.plan(store, domain.sql, domain.arguments)
        #expect(domainPlan.contains("INDEX emails_account_domain_created (account_id=? AND to_domain=?)"), "\(domainPlan)")
        // Counts for To exact: the address index.
        let exact = EmailQueryPlanner.statusCountQuery(EmailFilter(accountID: account, to: .exact("bob@example.net"), dateRange: .all),
                                                       span: week, subjectMatch: nil)
        #expect(try Self.plan(store, exact.sql, exact.arguments).contains("INDEX emails_to_created (to_address=?"))
        // The ingest's lookup of an event's email (EventIngest) and `show --message-id`.
        let ingest = try Self.plan(store, "SELECT id FROM emails WHERE message_hash = ? AND provider_message_id = ? AND to_address = ?",
                                   [MessageIDHash.of("m1@x"), "m1@x", "a@b"])
        #expect(ingest.contains("INDEX emails_message_hash (message_hash=?)"), "\(ingest)")
        let first = try Self.plan(store, "SELECT min(id) FROM emails WHERE message_hash = ? AND provider_message_id = ?",
                                  [MessageIDHash.of("m1@x"), "m1@x"])
        #expect(first.contains("INDEX emails_message_hash (message_hash=?)"), "\(first)")
        // A list page of one status and of every status: one account range each.
        for filter in [EmailFilter(accountID: account, statuses: [.failed], dateRange: .all), EmailFilter(accountID: account, dateRange: .all)] {
            let queries = try store.pool.read { db in
                try EmailQueryPlanner.plan(db, filter: filter, cursor: nil, direction: .older, limit: 50, span: all,
                                           summaryColumns: AuditDatabase.summaryColumns)
            }
            for query in queries {
                let plan = try Self.plan(store, query.sql, query.arguments)
                #expect(plan.contains("emails_account_status_created (account_id=? AND status=?)") || plan.contains("emails_account_created (account_id=?)"), "\(plan)")
                #expect(!plan.contains("TEMP B-TREE"), "\(plan)")
            }
        }
    }

    @Test func statisticsAreRefreshedWhenTheStoreDoubles() throws {
        #expect(!AuditDatabase.statisticsAreStale(emails: 10, analyzedAt: nil))
        #expect(AuditDatabase.statisticsAreStale(emails: 1_001, analyzedAt: nil))
        #expect(!AuditDatabase.statisticsAreStale(emails: 900, analyzedAt: 0))
        #expect(AuditDatabase.statisticsAreStale(emails: 1_001, analyzedAt: 0))
        #expect(!AuditDatabase.statisticsAreStale(emails: 2_000_000, analyzedAt: 1_000_000))
        #expect(AuditDatabase.statisticsAreStale(emails: 2_001_001, analyzedAt: 1_000_000))
        #expect(AuditDatabase.statisticsAreStale(emails: 400_000, analyzedAt: 1_000_000))
        // Recording 1,100 emails (in one transaction) analyses the store in that transaction.
        let data = try PagingData(count: 1_100)
        let analyzed = try data.store.pool.read { try AuditDatabase.analyzedEmails($0) }
        #expect(analyzed == 1_100)
        #expect(try data.store.pool.write { try data.store.refreshStatisticsIfStale($0) } == false)
    }

    @Test func aVersion8StoreUpgradesToTheV9IndexesWithTheSameAnswers() throws {
        let folder = TempFolder()
        let (path, queue) = try folder.store(migratedUpTo: "v8")
        try queue.write { db in
            try db.execute(sql: "INSERT INTO accounts (id, name) VALUES (1, 'Harbour Lets'), (2, 'Other')")
            try db.execute(sql: "INSERT INTO staff (id, account_id, name, role) VALUES (1, 1, 'Zoë Clarke', 'staff'), (2, 2, 'Al', 'staff')")
            // 40 emails over both accounts with every status, a day apart.
            for index in 0..<40 {
                let status = EmailStatus.allCases[index % EmailStatus.allCases.count]
                try db.execute(sql: """
                    INSERT INTO emails (id, account_id, raised_by_id, activity, to_address, from_address, subject, body, created_at, status)
                    VALUES (?, ?, ?, 'receipt', ?, 'a@b.c', 'Receipt', 'Thanks', ?, ?)
                    """, arguments: [index + 1, index % 2 + 1, index % 2 + 1, "p\(index % 3)@d\(index % 4).example", Int64(index) * 86_400_000 + 1_700_000_000_000, status.code])
            }
            try db.execute(sql: "UPDATE meta SET value = 40 WHERE key = 'email_count'")
        }
        let indexesBefore = try queue.read { try String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'emails'") }
        #expect(indexesBefore.contains("emails_created") && indexesBefore.contains("emails_status_created"))
        try queue.close()
        let store = try AuditDatabase(path: path, timeZone: london)
        #expect(try store.schemaVersion() == Schema.version)
        let names = Set(try store.pool.read { try String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'emails' AND sql IS NOT NULL") })
        #expect(!names.contains("emails_created") && !names.contains("emails_status_created"))
        #expect(names.contains("emails_account_failure_address"))
        #expect(try store.pool.read { try AuditDatabase.analyzedEmails($0) } == 40)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        // Every email, newest first, with and without an account, through the planner.
        let everyone = try allPages(store, EmailFilter(dateRange: .all), limit: 7, now: now).map(\.id)
        #expect(everyone == (1...40).reversed().map(Int64.init))
        let one = try allPages(store, EmailFilter(accountID: 1, statuses: [.failed, .rejected], dateRange: .all), limit: 3, now: now).map(\.id)
        let expected = (1...40).filter { ($0 - 1) % 2 == 0 && [.failed, .rejected].contains(EmailStatus.allCases[($0 - 1) % EmailStatus.allCases.count]) }
        #expect(one == expected.reversed().map(Int64.init))
        // Failures by domain equals a recount.
        let rows = try store.domainBreakdown(matching: EmailFilter(accountID: 1, dateRange: .all), now: now)
        var recount: [String: Int] = [:]
        for index in 0..<40 where index % 2 == 0 && DomainFailures.statuses.contains(EmailStatus.allCases[index % EmailStatus.allCases.count]) {
            recount["d\(index % 4).example", default: 0] += 1
        }
        #expect(Dictionary(uniqueKeysWithValues: rows.map { ($0.domain, $0.failed + $0.complained + $0.rejected) }) == recount)
    }
}
