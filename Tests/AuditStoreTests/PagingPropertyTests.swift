import AuditCore
import Foundation
import PropertyBased
import Testing
@testable import AuditStore

/// Keyset paging over generated filters: every page joined equals an in-memory filter of the
/// model, and the counts agree with the same rows. A failing filter is shrunk (fewer statuses,
/// raisers and a simpler address and range) and reported with the seed that reproduces it.
@Suite("Paging properties")
struct PagingPropertyTests {
    static let toChoices: [AddressPattern?] = [nil, .prefix("alice"), .prefix("bob"), .exact("al@example.com"), .prefix("a"), .prefix("zz")]
    static let ranges: [DateRangeChoice] = [.all, .last7Days, .today, .yesterday, .thisMonth, .lastMonth,
                                            .custom(from: CalendarDay(year: 2026, month: 5, day: 4), through: CalendarDay(year: 2026, month: 5, day: 9))]

    @Test func combinedFiltersEqualAnInMemoryFilter() async throws {
        let data = try PagingData()
        let f = data.fixture
        let raisers = [f.alice.id, f.bob.id, f.carol.id, f.support.id]
        let statuses = Gen<EmailStatus>.case.array(of: 0...4).map { Set($0) }
        let raisedBy = Gen.element(of: raisers).array(of: 0...3).map { Set($0.compactMap { $0 }) }
        let toAndRange = zip(Gen.int(in: 0...(Self.toChoices.count - 1)), Gen.int(in: 0...(Self.ranges.count - 1)), Gen.bool)
        await propertyCheck(count: 60, input: statuses, raisedBy, toAndRange) { statuses, raisedBy, toAndRange in
            let (toIndex, rangeIndex, ownAccount) = toAndRange
            let filter = EmailFilter(accountID: ownAccount ? f.account.id : nil, raisedBy: raisedBy, statuses: statuses,
                                     to: Self.toChoices[toIndex], dateRange: Self.ranges[rangeIndex])
            let pages = try allPages(data.store, filter, limit: 11, now: data.now)
            #expect(pages.map(\.id) == data.expected(filter), "filter \(filter)")
            let counts = try data.store.statusCounts(matching: filter, now: data.now)
            var expectedCounts: [EmailStatus: Int] = [:]
            for email in data.model where email.matches(filter, now: data.now, timeZone: data.store.timeZone) {
                expectedCounts[email.status, default: 0] += 1
            }
            #expect(counts.byStatus == expectedCounts, "counts for \(filter)")
        }
    }
}
