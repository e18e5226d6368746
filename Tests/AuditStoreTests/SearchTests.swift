import AuditCore
import Demo
import Foundation
import GRDB
import Testing
@testable import AuditStore

/// A store with many recipient addresses over several domains, subjects with LIKE's special
/// characters, two accounts and every status.
final class SearchData: @unchecked Sendable {
    let fixture: Fixture
    var model: [(email: ModelEmail, subject: String)] = []
    let base = utcDate(2026, 5, 1, 8)
    var now: Date { base.addingTimeInterval(12 * 86_400) }
    static let domains = ["example.net", "hotmial.co.uk", "hotmail.co.uk", "gmail.com", "mail.example.org"]
    static let subjects = ["Receipt for Flat 3", "Demand: 100% due_now", "Statement for Zoë Ødegård", "Ticket update: lift",
                           "RECEIPT ✅ café", "Reminder \\ arrears", "Notice for Flat 12"]

    init(count: Int = 360) throws {
        fixture = try Fixture()
        var rng = SeededRandom(seed: 11)
        let raisers = [fixture.alice, fixture.bob, fixture.carol, fixture.support]
        // 60 local parts × 5 domains, so "*example*" matches more addresses than are merged one by one.
        let locals = (0..<60).map { $0 % 7 == 0 ? "anil.hughes\($0)" : $0 == 11 ? "typo@" : "tenant\($0)" }
        var news: [NewEmail] = []
        var planned: [(staff: StaffUser, to: String, at: Date, status: EmailStatus, subject: String)] = []
        for index in 0..<count {
            let staff = raisers[Int(rng.next() % UInt64(raisers.count))]
            let to = locals[Int(rng.next() % UInt64(locals.count))] + "@" + Self.domains[Int(rng.next() % UInt64(Self.domains.count))]
            let at = base.addingTimeInterval(Double(index) * 2_400 + Double(rng.next() % 3))
            let status = EmailStatus.allCases[Int(rng.next() % UInt64(EmailStatus.allCases.count))]
            let subject = Self.subjects[Int(rng.next() % UInt64(Self.subjects.count))]
            planned.append((staff, to, at, status, subject))
            news.append(fixture.newEmail(by: staff, to: to, at: at, subject: subject))
        }
        let ids = try fixture.store.record(news)
        var batch: [IncomingEvent] = []
        for (id, plan) in zip(ids, planned) {
            model.append((ModelEmail(id: id, createdAt: Date(timeIntervalSince1970: (plan.at.timeIntervalSince1970 * 1000).rounded() / 1000),
                                     accountID: plan.staff.accountID, raisedByID: plan.staff.id, to: plan.to, status: plan.status),
                          plan.subject))
            guard plan.status != .pending else { continue }
            let messageID = try fixture.handOver(id, at: plan.at)
            batch.append(Events.incoming(Events.giving(plan.status, recipient: plan.to, at: plan.at.addingTimeInterval(60))!,
                                         messageID: messageID, recipient: plan.to, auditID: id))
        }
        _ = try fixture.store.apply(batch, defaultAccountID: nil)
    }

    var store: AuditDatabase { fixture.store }

    func matching(_ filter: EmailFilter) -> [ModelEmail] {
        model.filter { $0.email.matches(filter, now: now, timeZone: store.timeZone) && filter.subjectMatches($0.subject) }
            .map(\.email).newestFirst()
    }
}

@Suite("Search: To by domain and part, Subject, the per-domain breakdown")
struct SearchTests {
    @Test func parsesTheSearchPatterns() {
        #expect(AddressPattern(parsing: "*@Hotmial.co.uk") == .domain("hotmial.co.uk"))
        #expect(AddressPattern(parsing: " *hughes* ") == .contains("hughes"))
        #expect(AddressPattern(parsing: "hughes*") == .prefix("hughes"))
        #expect(AddressPattern(parsing: "*hughes") == nil)
        #expect(AddressPattern(parsing: "*@") == nil)
        #expect(AddressPattern(parsing: "**") == nil)
        #expect(AddressPattern(parsing: "*a*b*") == nil)
        #expect(AddressPattern.domain("example.net").matches("Bob@Example.net"))
        #expect(!AddressPattern.domain("example.net").matches("bob@mail.example.net"))
        #expect(AddressPattern.contains("hughes").matches("anil.hughes@x.com"))
        #expect(AddressPattern.domain("virginmedia.com").matches("typo@@virginmedia.com"), "the domain follows the last @")
        #expect(AddressPattern.domain("hotmial.co.uk").description == "*@hotmial.co.uk")
    }

    @Test func searchFiltersEqualAnInMemoryFilter() throws {
        let data = try SearchData()
        let f = data.fixture
        var rng = SeededRandom(seed: 5)
        let toChoices: [AddressPattern?] = [nil, .domain("example.net"), .domain("hotmial.co.uk"), .domain("nowhere.example"),
                                           .contains("hughes"), .contains("ex"), .contains("example"), .contains("hughes1@gm"),
                                           .exact("tenant1@gmail.com"), .prefix("anil")]
        let subjects: [String?] = [nil, "receipt", "Flat 1", "100%", "due_now", "_", "zo", "Zoë", "\\ arr", "missing text", "\"quoted\""]
        let ranges: [DateRangeChoice] = [.all, .last7Days, .today,
                                         .custom(from: CalendarDay(year: 2026, month: 5, day: 4), through: CalendarDay(year: 2026, month: 5, day: 9))]
        for round in 0..<90 {
            var statuses: Set<EmailStatus> = []
            for status in EmailStatus.allCases where rng.next() % 5 == 0 { statuses.insert(status) }
            let filter = EmailFilter(accountID: round % 3 == 0 ? nil : f.account.id,
                                     raisedBy: rng.next() % 3 == 0 ? [f.alice.id] : [],
                                     statuses: statuses,
                                     to: toChoices[round % toChoices.count],
                                     subject: subjects[Int(rng.next() % UInt64(subjects.count))],
                                     dateRange: ranges[Int(rng.next() % UInt64(ranges.count))])
            let expected = data.matching(filter)
            #expect(try allPages(data.store, filter, limit: 7, now: data.now).map(\.id) == expected.map(\.id), "filter \(filter)")
            // Newer paging from the oldest walks the same rows.
            let newest = try data.store.summaries(matching: filter, from: nil, direction: .newer, limit: 5, now: data.now)
            #expect(newest.map(\.id) == Array(expected.suffix(5).map(\.id)), "newer \(filter)")
            var expectedCounts: [EmailStatus: Int] = [:]
            for email in expected { expectedCounts[email.status, default: 0] += 1 }
            #expect(try data.store.statusCounts(matching: filter, now: data.now).byStatus == expectedCounts, "counts \(filter)")
        }
    }

    @Test func aSubjectWithThousandsOfMatchesIsCheckedByIDOnTheOtherIndex() throws {
        let data = try SearchData(count: 2_600)
        let f = data.fixture
        let matches = data.model.filter { EmailFilter(subject: "for").subjectMatches($0.subject) }.count
        // Limits at which the thousand-odd matches take the id-set path (the standard ones
        // sample the newest emails first, and "for" is common there).
        let limits = SubjectSearchLimits(sample: 0, commonInSample: 1, rowids: 1_000, idSet: 30_000)
        #expect(matches > limits.rowids && matches <= limits.idSet, "\(matches) matches take the id-set path")
        for filter in [EmailFilter(subject: "for", dateRange: .all),
                       EmailFilter(accountID: f.account.id, to: .domain("gmail.com"), subject: "for", dateRange: .all),
                       EmailFilter(accountID: f.account.id, raisedBy: [f.bob.id], statuses: [.failed, .opened], subject: "FOR",
                                   dateRange: .all),
                       EmailFilter(to: .contains("hughes"), subject: "for", dateRange: .last7Days)] {
            #expect(try SubjectPlanTests.allPages(data.store, filter, limit: 40, now: data.now, limits: limits)
                    == data.matching(filter).map(\.id), "\(filter)")
            #expect(try allPages(data.store, filter, limit: 40, now: data.now).map(\.id) == data.matching(filter).map(\.id),
                    "standard limits: \(filter)")
        }
    }

    @Test func domainBreakdownCountsFailuresPerDomain() throws {
        let data = try SearchData()
        let f = data.fixture
        for filter in [EmailFilter(accountID: f.account.id, dateRange: .all),
                       EmailFilter(accountID: f.account.id, statuses: [.failed, .delivered], dateRange: .last7Days),
                       EmailFilter(statuses: [.complained, .rejected], subject: "receipt", dateRange: .all),
                       EmailFilter(accountID: f.account.id, to: .contains("hughes"), dateRange: .all),
                       EmailFilter(accountID: f.account.id, statuses: [.delivered], dateRange: .all)] {
            var narrowed = filter
            narrowed.statuses = filter.statuses.isEmpty ? DomainFailures.statuses : filter.statuses.intersection(DomainFailures.statuses)
            let expected = narrowed.statuses.isEmpty ? [] : DomainFailures.rows(data.matching(narrowed).map {
                (AddressPattern.domain(of: $0.to), $0.status, 1)
            })
            let rows = try data.store.domainBreakdown(matching: filter, now: data.now)
            #expect(rows == expected, "\(filter)")
            #expect(rows.map(\.total) == rows.map(\.total).sorted(by: >))
        }
        #expect(try data.store.domainBreakdown(matching: EmailFilter(statuses: [.opened], dateRange: .all), now: data.now).isEmpty)
    }

    @Test func messageIDLookupKeepsToTheAccount() throws {
        let data = try SearchData(count: 20)
        let f = data.fixture
        let email = try #require(data.model.first { $0.email.status != .pending && $0.email.accountID == f.otherAccount.id })
        let messageID = "m\(email.email.id)@mg.example.com"
        #expect(try data.store.emailIDs(messageID: messageID, accountID: f.otherAccount.id) == [email.email.id])
        #expect(try data.store.emailIDs(messageID: messageID, accountID: nil) == [email.email.id])
        #expect(try data.store.emailIDs(messageID: messageID, accountID: f.account.id).isEmpty, "another account's email stays hidden")
    }

    @Test func domainPagesAreOneIndexRangeWithoutSorting() throws {
        let data = try SearchData(count: 30)
        let filter = EmailFilter(accountID: data.fixture.account.id, to: .domain("example.net"), dateRange: .all)
        for direction in [PageDirection.older, .newer] {
            let queries = EmailQueryPlanner.queries(filter: filter, cursor: EmailCursor(createdAt: data.now, id: 10), direction: direction,
                                                    limit: 50, span: filter.dateRange.interval(now: data.now, timeZone: london),
                                                    summaryColumns: AuditDatabase.summaryColumns)
            #expect(queries.count == 1)
            let plan = try data.store.pool.read { db in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + queries[0].sql, arguments: queries[0].arguments).map { $0["detail"] as String }
            }.joined(separator: " | ")
            #expect(plan.contains("emails_account_domain_created"), "\(plan)")
            #expect(!plan.contains("TEMP B-TREE"), "\(plan)")
        }
    }

    @Test func triggersKeepTheSearchIndexesInStep() throws {
        let data = try SearchData(count: 40)
        let f = data.fixture
        // Events for a message never recorded create an email whose headers come from the events.
        let event = Events.make(.delivered, recipient: "someone@outside.example", at: data.base, code: 250, message: "OK")
        _ = try data.store.apply([Events.incoming(event, messageID: "outside-1@mg.example.com", recipient: "someone@outside.example",
                                                  subject: "From the other system")], defaultAccountID: f.account.id)
        let found = try data.store.summaries(matching: EmailFilter(to: .contains("outside"), subject: "other system", dateRange: .all),
                                             from: nil, direction: .older, limit: 10, now: data.now)
        #expect(found.map(\.to) == ["someone@outside.example"])
        try data.store.pool.write { db in
            try db.execute(sql: "UPDATE emails SET subject = 'Renamed subject' WHERE to_address = 'someone@outside.example'")
            try db.execute(sql: "INSERT INTO emails_subject_trigram (emails_subject_trigram, rank) VALUES ('integrity-check', 1)")
            try db.execute(sql: "INSERT INTO recipients_trigram (recipients_trigram) VALUES ('integrity-check')")
        }
        #expect(try data.store.summaries(matching: EmailFilter(subject: "other system", dateRange: .all), from: nil,
                                         direction: .older, limit: 10, now: data.now).isEmpty)
        #expect(try data.store.summaries(matching: EmailFilter(subject: "renamed", dateRange: .all), from: nil,
                                         direction: .older, limit: 10, now: data.now).count == 1)
    }

    /// A version 2 store (before search and accounts) runs v3 then v5; a store that ran v5 before
    /// v3 existed (made by the accounts branch's build) runs v3 alone. Either way it ends at the
    /// newest version with search answering as on a new store.
    @Test(arguments: [false, true])
    func versionThreeUpgradesAnOlderStore(alreadyHadV5: Bool) throws {
        let data = try SearchData(count: 50)
        let path = data.fixture.path
        try data.store.close()
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            // Take the search indexes away: what a store written before search looks like.
            try SchemaV16MigrationTests.undoV16(db)
            try db.execute(sql: """
                DROP TRIGGER emails_subject_after_insert; DROP TRIGGER emails_subject_after_delete;
                DROP TRIGGER emails_subject_after_update; DROP TRIGGER recipients_trigram_after_insert;
                DROP TABLE emails_subject_trigram; DROP TABLE recipients_trigram;
                DROP INDEX emails_account_domain_created; ALTER TABLE emails DROP COLUMN to_domain;
                DELETE FROM grdb_migrations WHERE identifier = 'v3';
                """)
            if !alreadyHadV5 {
                // And the accounts tables, back to version 2's single suppression list.
                try db.execute(sql: """
                    DROP TABLE notification_digests; DROP TABLE notifications; DROP TABLE notification_preferences;
                    DELETE FROM grdb_migrations WHERE identifier = 'v6';
                    DROP TABLE users; DROP TABLE account_suppressions; DROP TABLE suppression_history;
                    CREATE TABLE suppressions (address TEXT PRIMARY KEY NOT NULL, kind TEXT NOT NULL, created_at INTEGER NOT NULL,
                        reason TEXT NOT NULL, email_id INTEGER, lifted_at INTEGER, lifted_by INTEGER) WITHOUT ROWID;
                    DELETE FROM grdb_migrations WHERE identifier = 'v5'; PRAGMA user_version = 2;
                    DROP TABLE email_resends; DROP TABLE contact_changes; DELETE FROM grdb_migrations WHERE identifier = 'v7';
                    DELETE FROM grdb_migrations WHERE identifier = 'v8';
                    CREATE INDEX emails_created ON emails(created_at); CREATE INDEX emails_status_created ON emails(status, created_at);
                    DROP INDEX emails_account_failure_address; DELETE FROM grdb_migrations WHERE identifier = 'v9';
                    DROP TABLE rollups_yearly; DELETE FROM grdb_migrations WHERE identifier = 'v10';
                    """)
                try SchemaV11MigrationTests.undoV11(db)
            }
        }
        try queue.close()
        let reopened = try AuditDatabase(path: path, timeZone: london)
        #expect(try reopened.schemaVersion() == Schema.version)
        let applied = try reopened.pool.read { try String.fetchAll($0, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid") }
        #expect(Set(applied) == Set(Schema.migrationIdentifiers))
        #expect(try reopened.users().contains { $0.name == data.fixture.alice.name })
        for filter in [EmailFilter(to: .domain("hotmial.co.uk"), dateRange: .all), EmailFilter(to: .contains("hughes"), dateRange: .all),
                       EmailFilter(subject: "Flat", dateRange: .all)] {
            #expect(try allPages(reopened, filter, limit: 9, now: data.now).map(\.id) == data.matching(filter).map(\.id), "\(filter)")
        }
    }
}
