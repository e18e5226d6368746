import AuditCore
import Foundation
import GRDB
import Testing
@testable import AuditStore

/// The statements the benchmark hands to the sqlite3 shell are the ones the app runs: run
/// with their values written in, they return the app's first page.
@Suite("First-page statements as text")
struct StatementTextTests {
    @Test func writtenOutStatementsReturnTheAppsFirstPage() throws {
        let f = try Fixture(timeZone: london)
        var news: [NewEmail] = []
        for index in 0..<120 {
            let staff = [f.alice, f.bob, f.carol][index % 3]
            news.append(f.newEmail(by: staff, to: index % 4 == 0 ? "o'neil\(index % 7)@example.net" : "pat\(index % 5)@example.org",
                                   at: utcDate(2026, 1, 1).addingTimeInterval(Double(index) * 7_200)))
        }
        _ = try f.store.record(news)
        let now = utcDate(2026, 1, 20)
        let filters = [
            EmailFilter(dateRange: .all),
            EmailFilter(accountID: f.account.id, dateRange: .all),
            EmailFilter(accountID: f.account.id, raisedBy: [f.bob.id], dateRange: .last7Days),
            EmailFilter(accountID: f.account.id, statuses: [.pending, .failed], dateRange: .all),
            EmailFilter(accountID: f.account.id, to: .exact("o'neil0@example.net"), dateRange: .all),
            EmailFilter(accountID: f.account.id, to: .prefix("o'n"), dateRange: .all),
        ]
        for filter in filters {
            let app = try f.store.summaries(matching: filter, from: nil, direction: .older, limit: 10, now: now)
            let statements = try f.store.firstPageStatements(matching: filter, limit: 10, now: now)
            #expect(!statements.isEmpty)
            #expect(statements.allSatisfy { !$0.contains("?") }, "every value written in: \(statements)")
            let rows = try f.store.pool.read { db in
                try statements.flatMap { try SummaryRecord.fetchAll(db, sql: $0) }
            }
            let newestFirst = rows.map(\.summary).sorted { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }
            #expect(Array(newestFirst.prefix(10)).map(\.id) == app.map(\.id), "\(filter)")
        }
    }
}
