import AuditCore
import Demo
import Foundation
import GRDB
import Testing
@testable import AuditStore

/// A store filled with emails of every status, several raisers and addresses, and ties on created_at.
final class PagingData: @unchecked Sendable {
    let fixture: Fixture
    var model: [ModelEmail] = []
    let base = utcDate(2026, 5, 1, 8)
    var now: Date { base.addingTimeInterval(12 * 86_400) }
    static let addresses = ["alice.tenant@example.net", "alice.t@example.org", "al@example.com", "bob@example.net",
                            "bobby@example.net", "zed@example.co.uk", "Mixed.Case@Example.net"]

    init(count: Int = 420) throws {
        fixture = try Fixture()
        var rng = SeededRandom(seed: 42)
        let raisers = [fixture.alice, fixture.bob, fixture.carol, fixture.support]
        var news: [NewEmail] = []
        var planned: [(staff: StaffUser, to: String, at: Date, status: EmailStatus)] = []
        for index in 0..<count {
            let staff = raisers[Int(rng.next() % UInt64(raisers.count))]
            let to = Self.addresses[Int(rng.next() % UInt64(Self.addresses.count))]
            // Steps of 20 minutes over 12 days, with every 5th email sharing its predecessor's time.
            let step = index % 5 == 4 ? index - 1 : index
            let at = base.addingTimeInterval(Double(step) * 1_200 + Double(rng.next() % 3))
            let statusRoll = Int(rng.next() % 100)
            let status: EmailStatus = statusRoll < 2 ? .rejected : EmailStatus.allCases[statusRoll % EmailStatus.allCases.count]
            planned.append((staff, to, at, status))
            news.append(fixture.newEmail(by: staff, to: to, at: at, subject: "Email \(index)"))
        }
        let ids = try fixture.store.record(news)
        var batch: [IncomingEvent] = []
        for (id, plan) in zip(ids, planned) {
            let to = plan.to.lowercased()
            model.append(ModelEmail(id: id, createdAt: Date(timeIntervalSince1970: (plan.at.timeIntervalSince1970 * 1000).rounded() / 1000),
                                    accountID: plan.staff.accountID, raisedByID: plan.staff.id, to: to, status: plan.status))
            guard plan.status != .pending else { continue }
            let messageID = try fixture.handOver(id, at: plan.at)
            batch.append(Events.incoming(Events.giving(plan.status, recipient: to, at: plan.at.addingTimeInterval(60))!,
                                         messageID: messageID, recipient: to, auditID: id))
        }
        let result = try fixture.store.apply(batch, defaultAccountID: nil)
        #expect(result.inserted == batch.count)
        #expect(result.createdEmails == 0)
    }

    var store: AuditDatabase { fixture.store }

    func expected(_ filter: EmailFilter, at now: Date? = nil) -> [Int64] {
        model.filter { $0.matches(filter, now: now ?? self.now, timeZone: store.timeZone) }.newestFirst().map(\.id)
    }

    func filters() -> [EmailFilter] {
        let f = fixture
        return [
            EmailFilter(dateRange: .all),
            EmailFilter(accountID: f.account.id, dateRange: .all),
            EmailFilter(accountID: f.otherAccount.id, dateRange: .last7Days),
            EmailFilter(statuses: [.failed], dateRange: .all),
            EmailFilter(accountID: f.account.id, statuses: [.rejected], dateRange: .all),
            EmailFilter(accountID: f.account.id, statuses: [.delivered, .failed, .rejected, .pending], dateRange: .all),
            EmailFilter(raisedBy: [f.alice.id], dateRange: .all),
            EmailFilter(accountID: f.account.id, raisedBy: [f.alice.id, f.bob.id], statuses: [.opened, .clicked], dateRange: .last7Days),
            EmailFilter(raisedBy: [f.alice.id, f.carol.id], dateRange: .all),
            EmailFilter(to: .exact("bob@example.net"), dateRange: .all),
            EmailFilter(to: .exact("mixed.case@example.net"), dateRange: .all),
            EmailFilter(accountID: f.account.id, to: .prefix("alice"), dateRange: .all),
            EmailFilter(to: .prefix("b"), dateRange: .custom(from: CalendarDay(year: 2026, month: 5, day: 3), through: CalendarDay(year: 2026, month: 5, day: 8))),
            EmailFilter(dateRange: .custom(from: CalendarDay(year: 2026, month: 5, day: 2), through: nil)),
            EmailFilter(dateRange: .custom(from: nil, through: CalendarDay(year: 2026, month: 5, day: 4))),
            EmailFilter(dateRange: .today),
            EmailFilter(dateRange: .yesterday),
        ]
    }
}

@Suite("Keyset paging")
struct PagingTests {
    @Test func joiningAllPagesGivesTheFullOrderedResult() throws {
        let data = try PagingData()
        #expect(data.model.count == 420)
        for filter in data.filters() {
            let expected = data.expected(filter)
            for limit in [1, 7, 50, 1000] {
                let pages = try allPages(data.store, filter, limit: limit, now: data.now)
                #expect(pages.map(\.id) == expected, "filter \(filter) limit \(limit)")
                #expect(Set(pages.map(\.id)).count == pages.count)
            }
        }
        // Sanity: the filters are not trivially empty.
        #expect(data.expected(EmailFilter(statuses: [.failed], dateRange: .all)).count > 10)
        #expect(!data.expected(EmailFilter(accountID: data.fixture.account.id, statuses: [.rejected], dateRange: .all)).isEmpty)
    }

    @Test func summariesCarryTheRowValues() throws {
        let data = try PagingData(count: 30)
        let page = try data.store.summaries(matching: EmailFilter(dateRange: .all), from: nil, direction: .older, limit: 100, now: data.now)
        let byID = Dictionary(uniqueKeysWithValues: data.model.map { ($0.id, $0) })
        let names = Dictionary(uniqueKeysWithValues: try data.store.staff(accountID: nil).map { ($0.id, $0.name) })
        for summary in page {
            let model = try #require(byID[summary.id])
            #expect(summary.to == model.to)
            #expect(summary.status == model.status)
            #expect(summary.createdAt == model.createdAt)
            #expect(summary.raisedByName == names[model.raisedByID])
            #expect(summary.activity == .receiptRecorded)
        }
    }

    @Test func newerDirectionWalksBackToTheNewest() throws {
        let data = try PagingData()
        for filter in data.filters() {
            let expected = data.expected(filter)
            for limit in [1, 9, 60] {
                var collected: [EmailSummary] = []
                var cursor: EmailCursor?
                while true {
                    let page = try data.store.summaries(matching: filter, from: cursor, direction: .newer, limit: limit, now: data.now)
                    if page.isEmpty { break }
                    // Each page is newest first and strictly newer than the previous one.
                    #expect(page.map(\.id) == page.sorted { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }.map(\.id))
                    collected = page + collected
                    cursor = page.first!.cursor
                }
                #expect(collected.map(\.id) == expected, "filter \(filter) limit \(limit)")
            }
            // From a cursor in the middle: the rows just newer than it.
            if expected.count > 12 {
                let older = try data.store.summaries(matching: filter, from: nil, direction: .older, limit: 12, now: data.now)
                let newer = try data.store.summaries(matching: filter, from: older.last!.cursor, direction: .newer, limit: 5, now: data.now)
                #expect(newer.map(\.id) == Array(expected[6..<11]))
            }
        }
    }

    @Test func insertsBetweenPagesDoNotDisturbOlderPages() throws {
        let data = try PagingData()
        let f = data.fixture
        var arrivals = 0
        for filter in [EmailFilter(dateRange: .all), EmailFilter(accountID: f.account.id, statuses: [.pending], dateRange: .all),
                       EmailFilter(raisedBy: [f.alice.id, f.bob.id], statuses: [.pending, .delivered], dateRange: .all)] {
            let expected = data.expected(filter)
            var collected: [EmailSummary] = []
            var first: [EmailSummary] = []
            var cursor: EmailCursor?
            var round = 0
            while true {
                let page = try data.store.summaries(matching: filter, from: cursor, direction: .older, limit: 25, now: data.now)
                if page.isEmpty { break }
                if first.isEmpty { first = page }
                collected += page
                cursor = page.last!.cursor
                // New emails arrive between fetches; they are newer than anything listed.
                round += 1
                arrivals += 1
                _ = try f.store.record([f.newEmail(by: f.alice, to: "new\(arrivals)@example.net", at: data.now.addingTimeInterval(Double(arrivals)))])
            }
            #expect(collected.map(\.id) == expected)
            // The newcomers are what `.newer` finds above the first page.
            let newcomers = try data.store.summaries(matching: EmailFilter(dateRange: .all), from: first.first!.cursor, direction: .newer,
                                                     limit: 1000, now: data.now)
            #expect(newcomers.allSatisfy { $0.to.hasPrefix("new") })
            #expect(newcomers.count == round)
            for summary in newcomers where !data.model.contains(where: { $0.id == summary.id }) {
                data.model.append(ModelEmail(id: summary.id, createdAt: summary.createdAt, accountID: f.account.id,
                                             raisedByID: f.alice.id, to: summary.to, status: .pending))
            }
        }
    }

    @Test func manyStatusesAndRaisersStillPageCorrectly() throws {
        let data = try PagingData(count: 200)
        let f = data.fixture
        var raisers: Set<Int64> = [f.alice.id, f.bob.id, f.carol.id, f.support.id]
        for index in 0..<20 { raisers.insert(try f.store.insertStaff(accountID: f.account.id, name: "Extra \(index)", role: .staff).id) }
        let filter = EmailFilter(raisedBy: raisers, statuses: Set(EmailStatus.allCases), dateRange: .all)
        #expect(try allPages(data.store, filter, limit: 13, now: data.now).map(\.id) == data.expected(filter))
    }

    @Test func firstPagesArePureIndexRangeScans() throws {
        let data = try PagingData(count: 20)
        let f = data.fixture
        let cursor = EmailCursor(createdAt: data.now, id: 10)
        let cases: [(EmailFilter, String)] = [
            (EmailFilter(accountID: f.account.id, dateRange: .last7Days), "emails_account_created"),
            (EmailFilter(accountID: f.account.id, statuses: [.failed], dateRange: .all), "emails_account_status_created"),
            (EmailFilter(accountID: f.account.id, raisedBy: [f.alice.id], dateRange: .all), "emails_raised_created"),
            (EmailFilter(raisedBy: [f.alice.id], statuses: [.rejected], dateRange: .thisMonth), "emails_raised_status_created"),
            (EmailFilter(to: .exact("bob@example.net"), dateRange: .all), "emails_to_created"),
        ]
        for (filter, index) in cases {
            for direction in [PageDirection.older, .newer] {
                let queries = EmailQueryPlanner.queries(filter: filter, cursor: cursor, direction: direction, limit: 50,
                                                        span: filter.dateRange.interval(now: data.now, timeZone: london),
                                                        summaryColumns: AuditDatabase.summaryColumns)
                #expect(queries.count == 1)
                for query in queries {
                    #expect(!query.sql.uppercased().contains("OFFSET"))
                    let plan = try data.store.pool.read { db in
                        try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + query.sql, arguments: query.arguments).map { $0["detail"] as String }
                    }.joined(separator: " | ")
                    #expect(plan.contains("USING INDEX \(index)") || plan.contains("USING COVERING INDEX \(index)"), "\(plan)")
                    #expect(plan.contains("created_at<") || plan.contains("created_at>"), "range on created_at: \(plan)")
                    #expect(!plan.contains("TEMP B-TREE"), "\(plan)")
                }
            }
        }
        // No account (v9 has no account-less index): one range per account, each on its account's index.
        for (filter, index) in [(EmailFilter(dateRange: .all), "emails_account_created"),
                                (EmailFilter(statuses: [.failed], dateRange: .all), "emails_account_status_created")] {
            let queries = try data.store.pool.read { db in
                try EmailQueryPlanner.plan(db, filter: filter, cursor: cursor, direction: .older, limit: 50,
                                           span: TimeSpan(start: nil, end: nil), summaryColumns: AuditDatabase.summaryColumns)
            }
            #expect(queries.count == 2)
            for query in queries {
                let plan = try data.store.pool.read { db in
                    try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + query.sql, arguments: query.arguments).map { $0["detail"] as String }
                }.joined(separator: " | ")
                #expect(plan.contains("INDEX \(index) (account_id=?"), "\(plan)")
                #expect(!plan.contains("TEMP B-TREE"), "\(plan)")
            }
        }
        // Several statuses: one range per status.
        let multi = EmailQueryPlanner.queries(filter: EmailFilter(accountID: f.account.id, raisedBy: [f.alice.id, f.bob.id], statuses: [.failed, .rejected, .complained], dateRange: .all),
                                              cursor: nil, direction: .older, limit: 50, span: TimeSpan(start: nil, end: nil),
                                              summaryColumns: AuditDatabase.summaryColumns)
        #expect(multi.count == 6)
    }
}
