import AuditCore
import Foundation
import GRDB
import Testing
@testable import AuditStore

/// The To `prefix*` and `*part*` time-window walk (``ToAddressWalk``): when it is chosen, and
/// that it pages to exactly what the in-memory model holds, both ways, whatever its windows.
@Suite("To address walk")
struct ToAddressWalkTests {
    /// Limits forcing each way the walk reads: many narrow windows, one wide window, the
    /// standard choice, and no walk (a range per address or rows checked on the date index).
    static let plans: [(name: String, limits: ToAddressWalkLimits)] = [
        ("narrow windows", ToAddressWalkLimits(alwaysWalk: true, windowPages: 0.01)),
        ("one wide window", ToAddressWalkLimits(alwaysWalk: true, windowPages: 1e9)),
        ("page-sized windows", ToAddressWalkLimits(alwaysWalk: true, windowPages: 1)),
        ("standard", .standard),
        ("no walk", ToAddressWalkLimits(walk: false)),
    ]

    static let prefixes: [String] = ["anil", "tenant1", "tenant", "t", "tenant2", "typo@", "zz", "anil.hughes7@gmail.com"]
    /// Parts: in many addresses, in a few, of two letters (no trigram), across the @, in none.
    static let parts: [String] = ["hughes", "nant1", "ail.c", "t2", "s7@gm", "zzz", "example"]
    static let patterns: [AddressPattern] = prefixes.map { AddressPattern.prefix($0) } + parts.map { AddressPattern.contains($0) }

    @Test func everyPlanPagesToTheModelBothWays() throws {
        let data = try SearchData()
        let f = data.fixture
        // Recorded last but dated throughout the store's days: their ids are out of date order.
        var news: [NewEmail] = [], planned: [(Date, StaffUser, String)] = []
        for index in 0..<40 {
            let staff = index % 3 == 0 ? f.carol : f.alice
            let at = data.base.addingTimeInterval(Double((index * 7_919) % 360) * 2_400 + (index % 4 == 0 ? 1 : 0))
            let to = "tenant\(index % 12)@late.example"
            news.append(f.newEmail(by: staff, to: to, at: at, subject: "Late"))
            planned.append((at, staff, to))
        }
        let ids = try f.store.record(news)
        for (id, (at, staff, to)) in zip(ids, planned) {
            data.model.append((ModelEmail(id: id, createdAt: Date(timeIntervalSince1970: (at.timeIntervalSince1970 * 1000).rounded() / 1000),
                                          accountID: staff.accountID, raisedByID: staff.id, to: to, status: .pending), "Late"))
        }
        let ranges: [DateRangeChoice] = [.all, .last7Days, .today,
                                         .custom(from: CalendarDay(year: 2026, month: 5, day: 2), through: CalendarDay(year: 2026, month: 5, day: 6))]
        for plan in Self.plans {
            for pattern in Self.patterns {
                for range in ranges {
                    for account in [f.account.id, f.otherAccount.id, nil] {
                        let filter = EmailFilter(accountID: account, to: pattern, dateRange: range)
                        let expected = data.matching(filter).map(\.id)
                        #expect(try Self.allPages(data.store, filter, limit: 7, limits: plan.limits, now: data.now) == expected,
                                "\(plan.name): \(filter)")
                        #expect(try Self.allPagesBack(data.store, filter, limit: 6, limits: plan.limits, now: data.now) == expected,
                                "\(plan.name) back: \(filter)")
                    }
                }
            }
        }
    }

    @Test func theWalkIsChosenForManyAddressesWithFewEmailsEach() throws {
        let data = try SearchData()
        let span = DateRangeChoice.all.interval(now: data.now, timeZone: data.store.timeZone)
        func walks(_ prefix: String, _ limits: ToAddressWalkLimits = .standard, statuses: Set<EmailStatus> = []) throws -> Bool {
            try walks(.prefix(prefix), limits, statuses: statuses)
        }
        func walks(_ pattern: AddressPattern, _ limits: ToAddressWalkLimits = .standard, statuses: Set<EmailStatus> = []) throws -> Bool {
            try data.store.read { db in
                try EmailQueryPlanner.toAddressWalk(db, filter: EmailFilter(statuses: statuses, to: pattern, dateRange: .all),
                                                    cursor: nil, direction: .older, limit: 50, span: span,
                                                    summaryColumns: AuditDatabase.summaryColumns, limits: limits) != nil
            }
        }
        // "anil" is nine local parts at five domains (the ~30 of those 45 addresses emailed):
        // more than a range each is worth, fewer than the row check's bar.
        #expect(try walks("anil"))
        // "t" is most addresses and most of the store: checking rows on the date index costs
        // less than a seek per address, unless seeks cost nothing.
        #expect(try !walks("t"))
        #expect(try walks("t", ToAddressWalkLimits(rowChecksPerSeek: 0, rowChecksPerRowRead: 0)))
        // "anil.hughes7@" is one local part at five domains: a range each.
        #expect(try !walks("anil.hughes7@"))
        #expect(try !walks("zz"), "no address")
        #expect(try !walks("anil", ToAddressWalkLimits(walk: false)))
        #expect(try !walks("anil", ToAddressWalkLimits(maximumAddresses: 20)), "past the most addresses: rows checked on the date index")
        #expect(try !walks("anil", statuses: [.failed]), "a status drives its own range")
        // A part: "hughes" is in the nine anil.hughes local parts at five domains, as "anil" is;
        // "nant" is in most addresses (the row check's case); "s7@gm" in one address.
        #expect(try walks(.contains("hughes")))
        #expect(try walks(.contains("ughe")), "a part inside the local part")
        #expect(try !walks(.contains("nant")))
        #expect(try walks(.contains("nant"), ToAddressWalkLimits(rowChecksPerSeek: 0, rowChecksPerRowRead: 0)))
        #expect(try !walks(.contains("s7@gm")))
        #expect(try !walks(.contains("zzz")), "no address")
        #expect(try !walks(.contains("hughes"), ToAddressWalkLimits(maximumAddresses: 20)))
        #expect(try !walks(.domain("gmail.com")), "a domain is its own range per account")

        // A short prefix is checked on the date index from its entries (schema v17), a part from
        // the rows: with seeks priced at half the rows a page checks, the walk is dearer than
        // the entries' check (a quarter of it) but cheaper than the rows'.
        func halfTheChecksPerSeek(_ pattern: AddressPattern) throws -> ToAddressWalkLimits {
            try data.store.read { db in
                let matches = try #require(try EmailQueryPlanner.matchingRecipients(db, pattern, limit: 10_000))
                #expect(matches.count > EmailQueryPlanner.maximumPrefixAddresses, "\(pattern)")
                let stored = Double(try Int64.fetchOne(db, sql: "SELECT max(id) FROM emails") ?? 0)
                let checks = 50 * stored / Double(matches.reduce(0) { $0 + $1.emails })
                return ToAddressWalkLimits(rowChecksPerSeek: checks / 2 / Double(matches.count), rowChecksPerRowRead: 0)
            }
        }
        let forT = try halfTheChecksPerSeek(.prefix("t"))
        #expect(try !walks("t", forT))
        var rowsOnly = forT
        rowsOnly.entryCheckShare = 1
        #expect(try walks("t", rowsOnly))
        #expect(try walks(.contains("nant"), try halfTheChecksPerSeek(.contains("nant"))))
    }

    static func allPages(_ store: AuditDatabase, _ filter: EmailFilter, limit: Int, limits: ToAddressWalkLimits, now: Date) throws -> [Int64] {
        var result: [Int64] = []
        var cursor: EmailCursor?
        while result.count < 100_000 {
            let page = try store.summaries(matching: filter, from: cursor, direction: .older, limit: limit, now: now,
                                           subjectLimits: .standard, addressWalkLimits: limits)
            guard let last = page.last else { break }
            result += page.map(\.id)
            cursor = last.cursor
        }
        return result
    }

    static func allPagesBack(_ store: AuditDatabase, _ filter: EmailFilter, limit: Int, limits: ToAddressWalkLimits, now: Date) throws -> [Int64] {
        var result: [Int64] = []
        var cursor: EmailCursor?
        while result.count < 100_000 {
            let page = try store.summaries(matching: filter, from: cursor, direction: .newer, limit: limit, now: now,
                                           subjectLimits: .standard, addressWalkLimits: limits)
            guard let first = page.first else { break }
            result = page.map(\.id) + result
            cursor = first.cursor
        }
        return result
    }
}
