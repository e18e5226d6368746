import AuditCore
import Foundation
import GRDB
import Testing
@testable import AuditStore

@Suite("Daily roll-ups")
struct RollupTests {
    /// Instants around both 2026 clock changes in Europe/London, as UTC.
    static let instants: [Date] = [
        utcDate(2026, 3, 28, 0, 30), utcDate(2026, 3, 28, 23, 30), utcDate(2026, 3, 28, 23, 59, 59),
        utcDate(2026, 3, 29, 0, 0), utcDate(2026, 3, 29, 0, 30),      // 00:30 GMT
        utcDate(2026, 3, 29, 0, 59, 59), utcDate(2026, 3, 29, 1, 0),   // 02:00 BST
        utcDate(2026, 3, 29, 1, 30),                                    // 02:30 BST (01:30 local does not exist)
        utcDate(2026, 3, 29, 2, 30), utcDate(2026, 3, 29, 22, 59), utcDate(2026, 3, 29, 23, 0), // 23:59 BST and 00:00 BST on the 30th
        utcDate(2026, 3, 30, 12),
        utcDate(2026, 10, 24, 22, 30), utcDate(2026, 10, 24, 23, 0),   // 23:30 BST on the 24th, 00:00 BST on the 25th
        utcDate(2026, 10, 24, 23, 30),                                   // 00:30 BST
        utcDate(2026, 10, 25, 0, 30),                                    // 01:30 BST
        utcDate(2026, 10, 25, 1, 30),                                    // 01:30 GMT (the second one)
        utcDate(2026, 10, 25, 2, 30), utcDate(2026, 10, 25, 23, 59),     // 02:30 GMT, 23:59 GMT
        utcDate(2026, 10, 26, 0, 0), utcDate(2026, 10, 26, 0, 30), utcDate(2026, 10, 27, 9),
        utcDate(2026, 11, 1, 0, 0), utcDate(2026, 12, 31, 23, 59),
    ]

    static func ranges() -> [(DateRangeChoice, Date)] {
        let marchNow = utcDate(2026, 3, 29, 12), octoberNow = utcDate(2026, 10, 25, 12), nextDay = utcDate(2026, 10, 26, 9)
        return [
            (.today, marchNow), (.yesterday, marchNow), (.today, octoberNow), (.yesterday, octoberNow),
            (.today, nextDay), (.yesterday, nextDay), (.last7Days, octoberNow), (.last30Days, nextDay),
            (.thisMonth, octoberNow), (.lastMonth, utcDate(2026, 11, 2, 12)), (.all, octoberNow),
            (.custom(from: CalendarDay(year: 2026, month: 3, day: 29), through: CalendarDay(year: 2026, month: 3, day: 29)), octoberNow),
            (.custom(from: CalendarDay(year: 2026, month: 3, day: 28), through: CalendarDay(year: 2026, month: 3, day: 30)), octoberNow),
            (.custom(from: CalendarDay(year: 2026, month: 10, day: 25), through: CalendarDay(year: 2026, month: 10, day: 25)), octoberNow),
            (.custom(from: CalendarDay(year: 2026, month: 10, day: 26), through: nil), octoberNow),
            (.custom(from: nil, through: CalendarDay(year: 2026, month: 10, day: 24)), octoberNow),
        ]
    }

    /// Records one email per instant per raiser, gives them statuses, and returns the model.
    static func seed(_ f: Fixture) throws -> [ModelEmail] {
        var model: [ModelEmail] = []
        var news: [NewEmail] = []
        var plans: [(StaffUser, Date)] = []
        for (index, instant) in instants.enumerated() {
            for staff in [f.alice, f.bob, f.carol] where (index + Int(staff.id)) % 3 != 0 || staff.id == f.alice.id {
                news.append(f.newEmail(by: staff, to: "r\(index)@example.net", at: instant))
                plans.append((staff, instant))
            }
        }
        let ids = try f.store.record(news)
        for (id, plan) in zip(ids, plans) {
            model.append(ModelEmail(id: id, createdAt: plan.1, accountID: plan.0.accountID, raisedByID: plan.0.id,
                                    to: news[model.count].to, status: .pending))
        }
        return model
    }

    static func check(_ store: AuditDatabase, _ model: [ModelEmail], _ f: Fixture, timeZone: TimeZone,
                      sourceLocation: SourceLocation = #_sourceLocation) throws {
        let filters: [(EmailFilter) -> EmailFilter] = [
            { $0 },
            { var x = $0; x.accountID = f.account.id; return x },
            { var x = $0; x.raisedBy = [f.bob.id]; return x },
            { var x = $0; x.statuses = [.delivered, .failed]; return x },
            { var x = $0; x.accountID = f.account.id; x.raisedBy = [f.alice.id, f.bob.id]; x.statuses = [.pending, .opened]; return x },
        ]
        for (range, now) in ranges() {
            for make in filters {
                let filter = make(EmailFilter(dateRange: range))
                var expected: [EmailStatus: Int] = [:]
                for email in model where email.matches(filter, now: now, timeZone: timeZone) {
                    expected[email.status, default: 0] += 1
                }
                let counts = try store.statusCounts(matching: filter, now: now)
                #expect(counts.byStatus == expected, "\(range) at \(now): \(filter)", sourceLocation: sourceLocation)
                // The rows behind the count are the rows the list shows.
                let rows = try allPages(store, filter, limit: 17, now: now)
                #expect(rows.count == counts.total, "\(range) list vs count", sourceLocation: sourceLocation)
            }
        }
    }

    @Test func localDaysMatchTheCalendar() {
        for zone in [london, newYork, TimeZone(identifier: "Asia/Kolkata")!, TimeZone(identifier: "Australia/Lord_Howe")!, utc] {
            var days = LocalDayCalculator(timeZone: zone)
            for instant in Self.instants {
                for delta in stride(from: -7200.0, through: 7200, by: 900) + [-0.001, 0.001] {
                    let date = instant.addingTimeInterval(delta)
                    let exact = Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded() / 1000)
                    #expect(days.day(exact) == CalendarDay(containing: exact, in: zone).ordinal, "\(zone.identifier) \(exact)")
                }
            }
        }
    }

    @Test func countsEqualCountedRowsAcrossClockChanges() throws {
        let f = try Fixture(timeZone: london)
        var model = try Self.seed(f)
        try Self.check(f.store, model, f, timeZone: london)

        // Status changes move counts between statuses.
        var batch: [IncomingEvent] = []
        let statuses: [EmailStatus] = [.delivered, .failed, .opened, .accepted]
        for index in model.indices where index % 2 == 0 {
            let email = model[index]
            let messageID = try f.handOver(email.id, at: email.createdAt)
            let status = statuses[index % statuses.count]
            batch.append(Events.incoming(Events.giving(status, recipient: email.to, at: email.createdAt.addingTimeInterval(30))!,
                                         messageID: messageID, recipient: email.to, auditID: email.id))
            model[index].status = status
        }
        let result = try f.store.apply(batch, defaultAccountID: nil)
        #expect(result.statusChanges.count == batch.count)
        try Self.check(f.store, model, f, timeZone: london)

        // A later event moves Delivered on to Opened.
        var more: [IncomingEvent] = []
        for index in model.indices where model[index].status == .delivered {
            let email = model[index]
            more.append(Events.incoming(Events.giving(.opened, recipient: email.to, at: email.createdAt.addingTimeInterval(90))!,
                                        messageID: "m\(email.id)@mg.example.com", recipient: email.to, auditID: email.id))
            model[index].status = .opened
        }
        _ = try f.store.apply(more, defaultAccountID: nil)
        try Self.check(f.store, model, f, timeZone: london)

        // Reopened in another zone: counts follow New York days, but the store keeps its zone
        // and its roll-ups (a reader never writes).
        try f.reopen(timeZone: newYork)
        #expect(try f.store.rollupTimeZoneIdentifier() == "Europe/London")
        try Self.check(f.store, model, f, timeZone: newYork)
        // Changed explicitly: the roll-ups are recounted by New York days.
        #expect(try f.store.changeRollupTimeZone(to: newYork))
        #expect(try f.store.rollupTimeZoneIdentifier() == "America/New_York")
        #expect(try f.store.rollupMismatches() == 0)
        try Self.check(f.store, model, f, timeZone: newYork)
        // ... and back.
        try f.reopen(timeZone: london)
        try Self.check(f.store, model, f, timeZone: london)
        #expect(try f.store.changeRollupTimeZone(to: london))
        try Self.check(f.store, model, f, timeZone: london)
    }

    @Test func rollupsAreRebuiltInOneTransactionWithoutLosingCounts() throws {
        let f = try Fixture(timeZone: utc)
        let model = try Self.seed(f)
        let total = try f.store.statusCounts(matching: EmailFilter(dateRange: .all), now: Date()).total
        #expect(total == model.count)
        try f.reopen(timeZone: london)
        #expect(try f.store.changeRollupTimeZone(to: london))
        let sum = try f.store.pool.read { try Int.fetchOne($0, sql: "SELECT sum(count) FROM rollups") }
        #expect(sum == model.count)
        try Self.check(f.store, model, f, timeZone: london)
    }

    @Test func countsWithoutAToPatternDoNotReadEmails() throws {
        let f = try Fixture()
        _ = try Self.seed(f)
        // Drop the emails behind the store's back: roll-up answers must not change.
        let before = try f.store.statusCounts(matching: EmailFilter(accountID: f.account.id, dateRange: .all), now: Date())
        try f.store.pool.write { db in
            try db.execute(sql: "DELETE FROM emails")
        }
        let after = try f.store.statusCounts(matching: EmailFilter(accountID: f.account.id, dateRange: .all), now: Date())
        #expect(before == after)
        #expect(before.total > 0)
    }
}
