import AuditCore
import Foundation
import PostgresNIO
import Testing
@testable import AuditStorePostgres

/// Schema version 10's subject trigram index: an older store upgrades to it, and a Subject
/// page read through it (past a one-email walk) finds exactly the emails whose subject holds
/// the text, ASCII letters folded and nothing else.
@Suite("PostgreSQL subject trigrams", .enabled(if: TestServer.isConfigured,
                                               "needs a server: set EMAIL_AUDIT_TEST_POSTGRES_URL (scripts/pg_throwaway.sh start prints one; make unit does it)"))
struct PostgresSubjectTrigramsTests {
    let london = TimeZone(identifier: "Europe/London")!
    static let subjects = ["Flat 6, Rose Court", "Flat 16, Rose Court", "Window cleaning at 6, Rose Court", "Café notice",
                           "CAFÉ NOTICE", "Ticket #4 update", "Ticket #40 update", "rent 100% paid", "Repairs_update", "ab"]

    @Test func version10ReplacesTheWordTrigramIndexAndFindsEveryText() throws {
        try TestServer.withFreshDatabase { location in
            let db = try TestServer.connect(location)
            defer { db.close() }
            #expect(try PostgresSchema.migrate(db, timeZone: london, upTo: 9) == 0)
            let account = try db.rows("INSERT INTO accounts (name) VALUES ('Harbour Lets') RETURNING id").first!.decode(Int64.self)
            let staff = try db.rows("""
                INSERT INTO staff (account_id, name, role) VALUES (\(account), 'Ann', 'Manager') RETURNING id
                """).first!.decode(Int64.self)
            // Each subject in three months, so that the page reads several windows.
            for month in ["2026-03-10 09:00:00+00", "2026-06-10 09:00:00+00", "2026-11-10 09:00:00+00"] {
                try db.execute("SELECT email_audit_create_month_partitions(\(month)::timestamptz)")
                try db.execute("""
                    INSERT INTO emails (account_id, created_at, raised_by_id, activity, to_address, subject, body)
                    SELECT \(account), \(month)::timestamptz + n * interval '1 minute', \(staff), 'statement',
                           'tenant@example.com', s, ''
                    FROM unnest(\(Self.subjects)::text[]) WITH ORDINALITY AS x(s, n)
                    """)
            }
            #expect(try PostgresSchema.migrate(db, timeZone: london, upTo: 10) == 9)
            let indexes = try db.rows("SELECT indexname FROM pg_indexes WHERE indexdef LIKE '%gin%' AND indexdef LIKE '%subject%'")
                .map { try $0.decode(String.self) }
            #expect(!indexes.contains { $0.contains("subject_trigram") && !$0.contains("subject_trigrams") }, "\(indexes)")
            #expect(indexes.filter { $0.contains("email_subject_trigrams") || $0 == "emails_subject_trigrams" }.count == 4, "\(indexes)")

            // Version 11 indexes the same runs beside the raiser and domain keys (PostgresSearchKeysTests).
            #expect(try PostgresSchema.migrate(db, timeZone: london) == 10)
            let store = try PostgresAuditStore(connection: db)
            store.subjectWalkRows = 1
            let now = Date(timeIntervalSince1970: 1_796_000_000)
            for text in ["6, R", "6, ROSE", "café", "CAFÉ", "Café", "#4", "#4 ", "100%", "s_u", "t 1", "ab", "zzz", "Rose Court"] {
                let expected = Self.subjects.filter { EmailFilter(subject: text, dateRange: .all).subjectMatches($0) }
                for walkOn in [false, true] {
                    store.subjectPagesWalkOn = walkOn
                    let page = try store.summaries(matching: EmailFilter(subject: text, dateRange: .all), accountID: account, from: nil,
                                                   direction: .older, limit: 100, now: now)
                    #expect(page.count == expected.count * 3, "\(text) walking on: \(walkOn)")
                    #expect(Set(page.map(\.subject)) == Set(expected), "\(text) walking on: \(walkOn)")
                    #expect(page.map(\.createdAt) == page.map(\.createdAt).sorted(by: >), "\(text): newest first")
                }
            }
        }
    }
}
