import AuditCore
import Foundation
import Testing
@testable import AuditStorePostgres

/// The month windows a page is read in, and their grouping into fewer statements for a Subject
/// page past its walk.
@Suite struct PostgresPageWindowsTests {
    let london = TimeZone(identifier: "Europe/London")!
    let day = 86_400.0

    func windows(older: Bool, cursor: Date) -> [PostgresPageWindow] {
        PostgresPageWindows.windows(span: TimeSpan(start: nil, end: nil), cursor: EmailCursor(createdAt: cursor, id: 1), older: older,
                                    now: cursor, timeZone: london)
    }

    @Test func theUnionOfAllWindowsIsEveryTime() {
        let all = windows(older: true, cursor: utc(2026, 12, 5, 12))
        #expect(all.count == 6)
        #expect(PostgresPageWindows.union(all) == PostgresPageWindow(low: nil, high: utc(2027, 1, 1)))
        #expect(PostgresPageWindows.union(Array(all[1...2])) == PostgresPageWindow(low: all[2].low, high: all[1].high))
    }

    @Test func groupsReachFurtherEachTimeAndCoverEveryWindowOnce() {
        let edge = utc(2026, 12, 5, 12)
        let all = windows(older: true, cursor: edge)
        // At least 40 days: December reaches 4.5 days back, with November 34.5: September and October too.
        let grouped = PostgresPageWindows.grouped(all, reaching: 40 * day, growth: 4, from: edge, older: true)
        #expect(grouped.first == PostgresPageWindow(low: all[2].low, high: all[0].high), "\(grouped)")
        // Then at least 160 days: May-August reaches only to 1 May (218 days): one window more.
        #expect(grouped[1] == PostgresPageWindow(low: all[3].low, high: all[3].high), "\(grouped)")
        #expect(grouped.last?.low == nil)
        // Together, every window's time exactly once.
        #expect(PostgresPageWindows.union(grouped) == PostgresPageWindows.union(all))
        for (earlier, later) in zip(grouped, grouped.dropFirst()) { #expect(earlier.low == later.high) }

        // Further than every window reaches: one statement.
        #expect(PostgresPageWindows.grouped(all, reaching: .infinity, growth: 4, from: edge, older: true)
            == [PostgresPageWindows.union(all)])
        // No reach at all: the first window alone first.
        #expect(PostgresPageWindows.grouped(all, reaching: 0, growth: 4, from: edge, older: true).first == all[0])
    }

    @Test func groupsPagingNewer() {
        let edge = utc(2025, 3, 20, 12)
        let all = windows(older: false, cursor: edge)
        let grouped = PostgresPageWindows.grouped(all, reaching: 20 * day, growth: 4, from: edge, older: false)
        // March's rest is 11 days; with April 41.
        #expect(grouped.first == PostgresPageWindow(low: all[0].low, high: all[1].high), "\(grouped)")
        #expect(grouped.last?.high == nil)
        for (earlier, later) in zip(grouped, grouped.dropFirst()) { #expect(earlier.high == later.low) }
    }
}
