import AuditCore
import Foundation
import PostgresNIO
import Testing
@testable import AuditStorePostgres

/// Schema version 11's search index: the subject's trigrams and the email's raiser and domain
/// as keys of their own. An older store upgrades to it, the keys the SQL function builds are
/// the ones the reader asks for, and a Subject page beside raisers or a domain read through it
/// finds exactly the emails the filter names.
@Suite("PostgreSQL search keys", .enabled(if: TestServer.isConfigured,
                                          "needs a server: set EMAIL_AUDIT_TEST_POSTGRES_URL (scripts/pg_throwaway.sh start prints one; make unit does it)"))
struct PostgresSearchKeysTests {
    let london = TimeZone(identifier: "Europe/London")!
    static let subjects = ["Window cleaning at Wright Wharf", "Flat 3, Wright Court", "Night works at Wright Wharf",
                           "Statement for Flat 3, Wright Wharf", "Ticket #4 update"]
    static let addresses = ["ann@harbour.test", "bob@HARBOUR.test", "cy@elm.test", "di@elm.test.uk"]

    @Test func version11IndexesRaisersAndDomainsBesideTheTrigramsAndPagesFindEveryEmail() throws {
        try TestServer.withFreshDatabase { location in
            let db = try TestServer.connect(location)
            defer { db.close() }
            #expect(try PostgresSchema.migrate(db, timeZone: london, upTo: 10) == 0)
            let account = try db.rows("INSERT INTO accounts (name) VALUES ('Harbour Lets') RETURNING id").first!.decode(Int64.self)
            var staff: [Int64] = []
            for name in ["Ann", "Bea", "Cal"] {
                staff.append(try db.rows("""
                    INSERT INTO staff (account_id, name, role) VALUES (\(account), '\(name)', 'Manager') RETURNING id
                    """).first!.decode(Int64.self))
            }
            // Every subject to every address from every raiser, in three months.
            var model: [(subject: String, address: String, raiser: Int64)] = []
            for subject in Self.subjects { for address in Self.addresses { for raiser in staff { model.append((subject, address, raiser)) } } }
            for month in ["2026-03-10 09:00:00+00", "2026-06-10 09:00:00+00", "2026-11-10 09:00:00+00"] {
                try db.execute("SELECT email_audit_create_month_partitions(\(month)::timestamptz)")
                for (index, row) in model.enumerated() {
                    try db.execute("""
                        INSERT INTO emails (account_id, created_at, raised_by_id, activity, to_address, subject, body)
                        VALUES (\(account), \(month)::timestamptz + \(index) * interval '1 minute', \(row.raiser), 'statement',
                                lower(\(row.address)), \(row.subject), '')
                        """)
                }
            }
            #expect(try PostgresSchema.migrate(db, timeZone: london) == 10)
            let indexes = try db.rows("SELECT indexname FROM pg_indexes WHERE tablename = 'emails' AND indexdef LIKE '%USING gin%'")
                .map { try $0.decode(String.self) }
            #expect(indexes == ["emails_search_keys"], "\(indexes)")

            // The SQL function's keys are the reader's.
            let keys = try db.rows("SELECT email_search_keys('Abc', \(staff[1]), 'harbour.test')").first!.decode([String].self)
            #expect(keys.contains(PostgresSearchKeys.raiser(staff[1])) && keys.contains(PostgresSearchKeys.domain("harbour.test")), "\(keys)")
            #expect(keys.contains("abc") && keys.allSatisfy { $0.count == 3 || $0.hasPrefix("\u{1}") && $0.count >= 4 }, "\(keys)")

            let store = try PostgresAuditStore(connection: db)
            store.subjectWalkRows = 1
            store.subjectPagesWalkOn = false
            let now = Date(timeIntervalSince1970: 1_796_000_000)
            var filters: [EmailFilter] = []
            for text in ["at Wright W", "Flat 3", "#4", "Wharf"] {
                filters.append(EmailFilter(raisedBy: [staff[0]], subject: text, dateRange: .all))
                filters.append(EmailFilter(raisedBy: [staff[0], staff[2]], subject: text, dateRange: .all))
                filters.append(EmailFilter(to: .domain("harbour.test"), subject: text, dateRange: .all))
                filters.append(EmailFilter(raisedBy: [staff[1]], to: .domain("elm.test"), subject: text, dateRange: .all))
            }
            for filter in filters {
                let expected = model.filter { row in
                    filter.subjectMatches(row.subject) && (filter.raisedBy.isEmpty || filter.raisedBy.contains(row.raiser))
                        && (filter.to?.matches(row.address.lowercased()) ?? true)
                }
                #expect(!expected.isEmpty || filter.subject == "#4", "\(filter)")
                for limit in [2, 100] {
                    var pages: [EmailSummary] = [], cursor: EmailCursor?
                    repeat {
                        let page = try store.summaries(matching: filter, accountID: account, from: cursor, direction: .older, limit: limit, now: now)
                        pages += page
                        cursor = page.count == limit ? page.last.map { EmailCursor(createdAt: $0.createdAt, id: $0.id) } : nil
                    } while cursor != nil
                    #expect(pages.count == expected.count * 3, "\(filter) by \(limit)")
                    #expect(Set(pages.map(\.id)).count == pages.count, "\(filter) by \(limit): no email twice")
                    #expect(pages.map(\.createdAt) == pages.map(\.createdAt).sorted(by: >), "\(filter): newest first")
                }
            }
        }
    }
}
