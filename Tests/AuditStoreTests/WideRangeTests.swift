import AuditCore
import Demo
import Foundation
import Testing
@testable import AuditStore

/// Counts over months (monthly roll-ups plus the days at either end) and To prefixes that
/// match a few or many addresses (address-by-address ranges, or a date index scan).
@Suite("Wide ranges and prefixes")
struct WideRangeTests {
    static let addresses = (0..<60).map { String(format: "user%02d@x.example.net", $0) } + ["other@y.example.org"]

    /// 1,500 emails over 150 days from 01/02/2026 (spanning both clock changes of 2026), to 61 addresses.
    static func build() throws -> (Fixture, [ModelEmail]) {
        let fixture = try Fixture()
        var rng = SeededRandom(seed: 9)
        let start = utcDate(2026, 2, 1)
        var news: [NewEmail] = []
        var planned: [(StaffUser, String, Date)] = []
        for index in 0..<1_500 {
            let staff = index % 3 == 0 ? fixture.bob : fixture.alice
            let to = addresses[Int(rng.next() % UInt64(addresses.count))]
            let at = start.addingTimeInterval(Double(rng.next() % (150 * 86_400)))
            planned.append((staff, to, at))
            news.append(fixture.newEmail(by: staff, to: to, at: at, subject: "Email \(index)"))
        }
        let ids = try fixture.store.record(news)
        let model = zip(ids, planned).map { id, plan in
            ModelEmail(id: id, createdAt: Date(timeIntervalSince1970: (plan.2.timeIntervalSince1970 * 1000).rounded() / 1000),
                       accountID: plan.0.accountID, raisedByID: plan.0.id, to: plan.1, status: .pending)
        }
        return (fixture, model)
    }

    @Test func countsForAnyRangeEqualCountedRows() throws {
        let (fixture, model) = try Self.build()
        let now = utcDate(2026, 7, 15, 12)
        var rng = SeededRandom(seed: 77)
        let first = CalendarDay(year: 2026, month: 1, day: 20)
        var ranges: [DateRangeChoice] = DateRangeChoice.named + [
            .custom(from: CalendarDay(year: 2026, month: 3, day: 1), through: CalendarDay(year: 2026, month: 5, day: 31)),
            .custom(from: CalendarDay(year: 2026, month: 3, day: 29), through: nil),
            .custom(from: nil, through: CalendarDay(year: 2026, month: 3, day: 28)),
            .custom(from: CalendarDay(year: 2026, month: 2, day: 28), through: CalendarDay(year: 2026, month: 3, day: 1)),
        ]
        for _ in 0..<200 {
            let a = first.adding(days: Int(rng.next() % 180)), b = first.adding(days: Int(rng.next() % 180))
            ranges.append(.custom(from: min(a, b), through: max(a, b)))
        }
        for range in ranges {
            for raisedBy in [Set<Int64>(), [fixture.bob.id]] {
                let filter = EmailFilter(accountID: fixture.account.id, raisedBy: raisedBy, dateRange: range)
                let expected = model.filter { $0.matches(filter, now: now, timeZone: london) }.count
                #expect(try fixture.store.statusCounts(matching: filter, now: now).total == expected, "\(range.displayName)")
            }
        }
    }

    @Test func monthlyPlanCoversEveryDayOnce() {
        let first = CalendarDay(year: 2025, month: 12, day: 1)
        var rng = SeededRandom(seed: 5)
        for _ in 0..<500 {
            let a = first.adding(days: Int(rng.next() % 200)), b = first.adding(days: Int(rng.next() % 200))
            let (low, high) = (min(a, b), max(a, b))
            let plan = MonthlyRollups.plan(first: low, last: high)
            var covered: [Int] = []
            if let months = plan.months, let m0 = months.0, let m1 = months.1, m0 <= m1 {
                for month in m0...m1 {
                    let start = MonthlyRollups.firstDay(ofMonth: month).ordinal
                    covered += Array(start..<MonthlyRollups.firstDay(ofMonth: month + 1).ordinal)
                }
            }
            for range in plan.days { covered += Array(range.0!...range.1!) }
            #expect(covered.sorted() == Array(low.ordinal...high.ordinal), "\(low) – \(high)")
        }
    }

    @Test(arguments: ["user", "user1", "user59", "other", "nobody", "u"])
    func prefixPagesEqualTheModel(_ stem: String) throws {
        let (fixture, model) = try Self.build()
        let now = utcDate(2026, 7, 15, 12)
        for range in [DateRangeChoice.all, .custom(from: CalendarDay(year: 2026, month: 3, day: 10), through: CalendarDay(year: 2026, month: 4, day: 20))] {
            let filter = EmailFilter(accountID: fixture.account.id, to: .prefix(stem), dateRange: range)
            let expected = model.filter { $0.matches(filter, now: now, timeZone: london) }.newestFirst().map(\.id)
            #expect(try allPages(fixture.store, filter, limit: 37, now: now).map(\.id) == expected, "\(stem)* \(range.displayName)")
            var withStatus = filter
            withStatus.raisedBy = [fixture.bob.id]
            let expectedBob = model.filter { $0.matches(withStatus, now: now, timeZone: london) }.newestFirst().map(\.id)
            #expect(try allPages(fixture.store, withStatus, limit: 50, now: now).map(\.id) == expectedBob)
        }
    }
}
