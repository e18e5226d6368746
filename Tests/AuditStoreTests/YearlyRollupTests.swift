import AuditCore
import Foundation
import GRDB
import PropertyBased
import Testing
@testable import AuditStore

/// Counts over any range from the yearly, monthly and daily roll-ups (schema v10) equal a
/// recount of the emails, in London's local days (both clock changes and every year's end).
@Suite("Yearly roll-ups")
struct YearlyRollupTests {
    /// The first day ranges are drawn around, and how many days they span (four years and a bit).
    static let origin = CalendarDay(year: 2022, month: 12, day: 20)
    static let spanDays = 1_500

    /// Emails at instants spread over the span, plus instants at local year, month and day
    /// edges and on clock-change days; a third of them given another status by an event.
    static func seed(_ f: Fixture) throws -> [ModelEmail] {
        var instants: [Date] = [
            utcDate(2022, 12, 31, 23, 59, 59), utcDate(2023, 1, 1), utcDate(2023, 12, 31, 23, 59), utcDate(2024, 1, 1, 0, 0, 1),
            utcDate(2024, 3, 31, 0, 30), utcDate(2024, 3, 31, 1, 30), utcDate(2024, 3, 31, 22, 59), utcDate(2024, 3, 31, 23, 30),
            utcDate(2024, 10, 26, 23, 30), utcDate(2024, 10, 27, 0, 30), utcDate(2024, 10, 27, 1, 30), utcDate(2024, 12, 31, 23, 59, 59),
            utcDate(2025, 1, 1, 0, 0), utcDate(2025, 6, 30, 22, 59), utcDate(2025, 6, 30, 23, 0), utcDate(2025, 12, 31, 12),
            utcDate(2026, 1, 1, 0, 0), utcDate(2026, 3, 29, 0, 59, 59), utcDate(2026, 3, 29, 1, 0), utcDate(2026, 10, 25, 1, 30),
            utcDate(2026, 12, 31, 23, 59, 59),
        ]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        let start = utcDate(2022, 12, 20).timeIntervalSince1970
        for _ in 0..<360 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let seconds = Double(state >> 11) / Double(UInt64(1) << 53) * Double(spanDays) * 86_400
            instants.append(Date(timeIntervalSince1970: (start + seconds).rounded()))
        }
        var news: [NewEmail] = [], owners: [StaffUser] = []
        for (index, instant) in instants.enumerated() {
            let staff = [f.alice, f.bob, f.carol][index % 3]
            news.append(f.newEmail(by: staff, to: "r\(index)@example.net", at: instant))
            owners.append(staff)
        }
        let ids = try f.store.record(news)
        var model = zip(ids, zip(news, owners)).map { id, pair in
            ModelEmail(id: id, createdAt: pair.0.createdAt, accountID: pair.1.accountID, raisedByID: pair.1.id, to: pair.0.to, status: .pending)
        }
        var batch: [IncomingEvent] = []
        let statuses: [EmailStatus] = [.delivered, .failed, .opened, .rejected]
        for index in model.indices where index % 3 == 1 {
            let email = model[index]
            let messageID = try f.handOver(email.id, at: email.createdAt)
            let status = statuses[index % statuses.count]
            batch.append(Events.incoming(Events.giving(status, recipient: email.to, at: email.createdAt.addingTimeInterval(30))!,
                                         messageID: messageID, recipient: email.to, auditID: email.id))
            model[index].status = status
        }
        _ = try f.store.apply(batch, defaultAccountID: nil)
        return model
    }

    static func expected(_ model: [ModelEmail], _ filter: EmailFilter, now: Date) -> [EmailStatus: Int] {
        var counts: [EmailStatus: Int] = [:]
        for email in model where email.matches(filter, now: now, timeZone: london) { counts[email.status, default: 0] += 1 }
        return counts
    }

    @Test func countsForRandomRangesEqualARecount() async throws {
        let f = try Fixture(timeZone: london)
        let model = try Self.seed(f)
        let now = utcDate(2027, 1, 15, 12)
        #expect(try f.store.rollupMismatches() == 0)
        let yearly = try await f.store.pool.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM rollups_yearly")! }
        #expect(yearly > 0, "the yearly roll-up is kept")
        // -1 leaves that end open; the other end is drawn as an offset from the first.
        let ends = zip(Gen.int(in: -1...Self.spanDays), Gen.int(in: -1...Self.spanDays))
        let narrowing = zip(Gen.int(in: 0...3), Gen.int(in: 0...3))
        await propertyCheck(count: 150, input: ends, narrowing) { ends, narrowing in
            let from = ends.0 < 0 ? nil : Self.origin.adding(days: ends.0)
            let through = ends.1 < 0 ? nil : (from ?? Self.origin).adding(days: ends.1)
            var filter = EmailFilter(dateRange: from == nil && through == nil ? .all : .custom(from: from, through: through))
            switch narrowing.0 {
            case 1: filter.accountID = f.account.id
            case 2: filter.raisedBy = [f.bob.id]
            case 3: filter.accountID = f.otherAccount.id; filter.raisedBy = [f.carol.id]
            default: break
            }
            switch narrowing.1 {
            case 1: filter.statuses = [.pending]
            case 2: filter.statuses = [.delivered, .failed, .rejected]
            default: break
            }
            let counts = try f.store.statusCounts(matching: filter, now: now)
            #expect(counts.byStatus == Self.expected(model, filter, now: now), "\(filter.dateRange) \(filter)")
        }
    }

    @Test(arguments: [
        (CalendarDay(year: 2023, month: 1, day: 1), CalendarDay(year: 2025, month: 12, day: 31)),   // whole years only
        (CalendarDay(year: 2022, month: 12, day: 31), CalendarDay(year: 2026, month: 1, day: 1)),   // a day either side
        (CalendarDay(year: 2023, month: 2, day: 15), CalendarDay(year: 2025, month: 11, day: 3)),   // days, months, years
        (CalendarDay(year: 2024, month: 3, day: 31), CalendarDay(year: 2024, month: 10, day: 27)),  // clock-change days, no whole year
        (CalendarDay(year: 2024, month: 1, day: 1), CalendarDay(year: 2024, month: 12, day: 31)),   // one leap year
    ])
    func everyDayOfTheSpanIsCountedOnce(first: CalendarDay, last: CalendarDay) {
        let plan = YearlyRollups.plan(first: first, last: last)
        var covered: [Int] = []
        if let years = plan.years {
            for year in years.0!...years.1! {
                let start = CalendarDay(year: year, month: 1, day: 1).ordinal
                covered += Array(start...CalendarDay(year: year, month: 12, day: 31).ordinal)
            }
        }
        for months in plan.months {
            for month in months.0!...months.1! {
                let start = MonthlyRollups.firstDay(ofMonth: month).ordinal
                covered += Array(start..<MonthlyRollups.firstDay(ofMonth: month + 1).ordinal)
            }
        }
        for days in plan.days { covered += Array(days.0!...days.1!) }
        #expect(covered.sorted() == Array(first.ordinal...last.ordinal))
    }

    @Test func aVersion9StoreMigratesToIdenticalCounts() throws {
        let f = try Fixture(timeZone: london)
        let model = try Self.seed(f)
        let now = utcDate(2027, 1, 15, 12)
        let ranges: [DateRangeChoice] = [
            .all, .last30Days, .thisMonth, .lastMonth,
            .custom(from: CalendarDay(year: 2023, month: 3, day: 26), through: CalendarDay(year: 2025, month: 10, day: 26)),
            .custom(from: CalendarDay(year: 2024, month: 1, day: 1), through: nil),
            .custom(from: nil, through: CalendarDay(year: 2024, month: 12, day: 31)),
        ]
        let filters = ranges.flatMap { range in
            [EmailFilter(dateRange: range), EmailFilter(accountID: f.account.id, raisedBy: [f.alice.id], statuses: [.pending, .failed], dateRange: range)]
        }
        let before = try filters.map { try f.store.statusCounts(matching: $0, now: now).byStatus }
        // The store as version 9 left it: no yearly table, v10 not recorded.
        try f.store.pool.write { db in
            try db.execute(sql: "DROP TABLE rollups_yearly")
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v10'")
            try SchemaV11MigrationTests.undoV11(db)
            try db.execute(sql: "PRAGMA user_version = 9")
        }
        try f.reopen(timeZone: london)
        #expect(try f.store.schemaVersion() == Schema.version)
        #expect(try f.store.rollupMismatches() == 0)
        let after = try filters.map { try f.store.statusCounts(matching: $0, now: now).byStatus }
        #expect(after == before)
        #expect(after == filters.map { Self.expected(model, $0, now: now) })
    }
}
