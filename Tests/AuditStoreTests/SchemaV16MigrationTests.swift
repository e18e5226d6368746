import AuditCore
import Foundation
import GRDB
import Synchronization
import Testing
@testable import AuditStore

/// Version 16: the Subject search index holds each email's raiser and domain keys after its
/// subject (``SubjectSearchKeys``), and a Subject page beside one raiser or a `*@domain` may
/// match them with the text.
@Suite("Schema v16: raisers and domains in the Subject search index")
struct SchemaV16MigrationTests {
    /// Undoes migration v16 on `db`: the index as version 3 made it (for the tests that rebuild older layouts).
    static func undoV16(_ db: Database) throws {
        try SchemaV17MigrationTests.undoV17(db)  // it came after
        guard try db.viewExists("emails_subject_text") else { return }  // undone already
        try db.execute(sql: """
            DROP TRIGGER IF EXISTS emails_subject_after_insert;
            DROP TRIGGER IF EXISTS emails_subject_after_delete;
            DROP TRIGGER IF EXISTS emails_subject_after_update;
            DROP TABLE IF EXISTS emails_subject_trigram;
            DROP VIEW IF EXISTS emails_subject_text;
            \(Schema.v3SubjectIndex)
            INSERT INTO emails_subject_trigram (emails_subject_trigram) VALUES ('rebuild');
            DELETE FROM grdb_migrations WHERE identifier = 'v16';
            PRAGMA user_version = 16;
            """)
    }

    /// The ids whose index entry holds `key`.
    static func matching(_ db: Database, _ key: String) throws -> Set<Int64> {
        Set(try Int64.fetchAll(db, sql: "SELECT rowid FROM emails_subject_trigram WHERE emails_subject_trigram MATCH ?",
                               arguments: [SearchText.ftsPhrase(key)]))
    }

    /// FTS5's own check of the index against its content (the view of the indexed text).
    static func integrityCheck(_ db: Database) throws {
        try db.execute(sql: "INSERT INTO emails_subject_trigram (emails_subject_trigram, rank) VALUES ('integrity-check', 1)")
    }

    /// Every email's raiser and domain keys are in the index, and nobody else's: checked for
    /// each raiser and domain of the store.
    static func expectKeysIndexed(_ db: Database, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let rows = try Row.fetchAll(db, sql: "SELECT id, raised_by_id, to_domain FROM emails")
        for raiser in Set(rows.map { $0[1] as Int64 }) {
            #expect(try matching(db, SubjectSearchKeys.raiser(raiser)) == Set(rows.filter { $0[1] == raiser }.map { $0[0] as Int64 }),
                    "raiser \(raiser)", sourceLocation: sourceLocation)
        }
        for domain in Set(rows.map { $0[2] as String }) {
            #expect(try matching(db, SubjectSearchKeys.domain(domain)) == Set(rows.filter { $0[2] == domain }.map { $0[0] as Int64 }),
                    "domain \(domain)", sourceLocation: sourceLocation)
        }
        try integrityCheck(db)
    }

    /// Raisers and domains (odd ones too: short, accented, no `@`, a subject holding U+0001).
    static let cases: [(raiser: Int64, address: String, subject: String)] = [
        (1, "tenant@example.net", "Receipt for Flat 1"), (2, "tenant@example.org", "Receipt for Flat 2"),
        (3, "a@b.c", "Rent demand"), (1_073_741_900, "zoë@exämple.de", "Ticket \u{1}update"),
        (1, "no-at-sign", ""), (2, "Upper@Example.NET", "Statement"), (3, "x@mail.example.com", "Statement"),
    ]

    @Test func theSwiftKeysEqualTheIndexedSQL() throws {
        let queue = try DatabaseQueue()
        try queue.read { db in
            for item in Self.cases {
                let domain = try String.fetchOne(db, sql: """
                    SELECT substr(?1, length(rtrim(?1, replace(?1, '@', ''))) + 1)
                    """, arguments: [item.address])!
                let sql = SubjectSearchKeys.indexedText("e")
                let text = try String.fetchOne(db, sql: "SELECT \(sql) FROM (SELECT ? AS subject, ? AS raised_by_id, ? AS to_domain) e",
                                               arguments: [item.subject, item.raiser, domain])
                #expect(text == item.subject + SubjectSearchKeys.raiser(item.raiser) + SubjectSearchKeys.domain(domain), "\(item)")
            }
        }
        // Distinct raisers and domains here have distinct keys; every key is three scalars starting with U+0001.
        let raisers = Set([1, 2, 3, 4, 32_766, 32_767, 1_073_741_900].map { SubjectSearchKeys.raiser(Int64($0)) })
        #expect(raisers.count == 7)
        let domains = Set(["example.net", "example.org", "b.c", "gmail.com", "hotmail.co.uk", "hotmail.com", "sky.com"]
            .map(SubjectSearchKeys.domain))
        #expect(domains.count == 7)
        for key in raisers.union(domains) {
            #expect(key.unicodeScalars.count == 3 && key.unicodeScalars.first == "\u{1}")
        }
        #expect(raisers.isDisjoint(with: domains))
    }

    @Test func aVersion15StoreIndexesItsEmailsWithTheirKeysWhenUpgraded() throws {
        let folder = TempFolder()
        let (path, queue) = try folder.store(migratedUpTo: "v15")
        try queue.write { db in
            try db.execute(sql: "INSERT INTO accounts (id, name) VALUES (1, 'Harbour Lets')")
            for raiser in Set(Self.cases.map(\.raiser)) {
                try db.execute(sql: "INSERT INTO staff (id, account_id, name, role) VALUES (?, 1, 'Staff', 'staff')", arguments: [raiser])
            }
            for (index, item) in Self.cases.enumerated() {
                try db.execute(sql: """
                    INSERT INTO emails (id, account_id, raised_by_id, activity, to_address, subject, body, created_at, status)
                    VALUES (?, 1, ?, 'receipt', ?, ?, 'Thanks', ?, 0)
                    """, arguments: [index + 1, item.raiser, item.address, item.subject, 1_781_000_000_000 + Int64(index) * 1_000])
            }
            #expect(try Self.matching(db, SubjectSearchKeys.raiser(1)).isEmpty)
        }
        let before = try queue.read { db in
            try Int64.fetchAll(db, sql: "SELECT rowid FROM emails_subject_trigram WHERE emails_subject_trigram MATCH 'Sta' ORDER BY rowid")
        }
        try queue.close()

        let reports = Mutex<[UpgradeProgress]>([])
        let store = try AuditDatabase(path: path, timeZone: london, upgradeProgress: { progress in
            reports.withLock { $0.append(progress) }
        })
        #expect(try store.schemaVersion() == Schema.version)
        let step = "Adding raisers and domains to the Subject search index"
        let total = Self.cases.count
        #expect(reports.withLock { $0 }.filter { $0.step == step }
                == [UpgradeProgress(step: step, done: 0, total: total), UpgradeProgress(step: step, done: total, total: total)])
        let merge = "Merging the Subject search index"
        #expect(reports.withLock { $0 }.filter { $0.step == merge }
                == [UpgradeProgress(step: merge, done: 0, total: 1), UpgradeProgress(step: merge, done: 1, total: 1)])
        try store.write { db in
            try Self.expectKeysIndexed(db)
            // The subjects' own trigrams are found as before.
            #expect(try Int64.fetchAll(db, sql: "SELECT rowid FROM emails_subject_trigram WHERE emails_subject_trigram MATCH 'Sta' ORDER BY rowid")
                    == before)
        }
    }

    @Test func theTriggersKeepTheKeysAsEmailsAreRecordedRetitledAndDeleted() throws {
        let f = try Fixture()
        let t0 = utcDate(2026, 6, 10, 9)
        let ids = try f.store.record([
            f.newEmail(by: f.alice, to: "one@example.net", at: t0, subject: "Receipt"),
            f.newEmail(by: f.bob, to: "two@example.org", at: t0.addingTimeInterval(60), subject: "Demand"),
            f.newEmail(by: f.carol, to: "three@example.net", at: t0.addingTimeInterval(120), subject: "Statement"),
        ])
        try f.store.write { db in try Self.expectKeysIndexed(db) }
        try f.store.write { db in
            // A new subject (an External email given one by its first event) replaces the entry.
            try db.execute(sql: "UPDATE emails SET subject = 'Ticket update' WHERE id = ?", arguments: [ids[0]])
            #expect(try Self.matching(db, "upd") == [ids[0]])
            #expect(try Self.matching(db, "Rec").isEmpty)
            // Were the raiser or the address to change, the keys follow.
            try db.execute(sql: "UPDATE emails SET raised_by_id = ?, to_address = 'four@example.com' WHERE id = ?",
                           arguments: [f.alice.id, ids[1]])
            try Self.expectKeysIndexed(db)
            #expect(try Self.matching(db, SubjectSearchKeys.raiser(f.bob.id)).isEmpty)
            try db.execute(sql: "DELETE FROM emails WHERE id = ?", arguments: [ids[2]])
            try Self.expectKeysIndexed(db)
            #expect(try Self.matching(db, SubjectSearchKeys.raiser(f.carol.id)).isEmpty)
        }
    }

    @Test func aRareTextBesideOneRaiserReadsOnlyThatRaisersCandidates() throws {
        let data = try SearchData()
        let f = data.fixture
        let filter = EmailFilter(accountID: f.account.id, raisedBy: [f.bob.id], subject: "Flat 12", dateRange: .all)
        let expected = data.matching(filter).map(\.id)
        #expect(!expected.isEmpty)
        let bobs = Set(data.model.filter { $0.email.raisedByID == f.bob.id }.map(\.email.id))
        let flat12 = Set(data.model.filter { $0.subject.localizedCaseInsensitiveContains("Flat 12") }.map(\.email.id))
        #expect(flat12.subtracting(bobs).count > 0)
        // Every candidate's rows, the match taking every trigram and key that narrows (a row costs
        // far more than a list entry here).
        func page(keys: Bool) throws -> (ids: [Int64], exact: String, candidates: Set<Int64>) {
            var limits = SubjectSearchLimits(sample: 0, commonInSample: 1, rowids: 100_000, idSet: 100_000, rangeRowPerSpanEntry: 1e12)
            limits.rangeSmall = 0
            limits.rangeKeys = keys
            return try data.store.read { db in
                let walk = try #require(try EmailQueryPlanner.subjectRangeWalk(
                    db, filter: filter, cursor: nil, direction: .older, limit: 100, span: TimeSpan(start: nil, end: nil),
                    summaryColumns: AuditDatabase.summaryColumns, limits: limits))
                let exact = walk.keyedExactMatch ?? walk.exactMatch
                let candidates = Set(try Int64.fetchAll(db, sql: """
                    SELECT rowid FROM emails_subject_trigram WHERE emails_subject_trigram MATCH ?
                    """, arguments: [exact]))
                return (try walk.page(db).map(\.summary.id), exact, candidates)
            }
        }
        let keyed = try page(keys: true)
        #expect(keyed.ids == expected)
        #expect(keyed.exact.contains(SearchText.ftsPhrase(SubjectSearchKeys.raiser(f.bob.id))))
        #expect(keyed.candidates.isSubset(of: bobs) && keyed.candidates.isSuperset(of: expected))
        let plain = try page(keys: false)
        #expect(plain.ids == expected)
        #expect(!plain.exact.contains("\u{1}"))
        #expect(plain.exact == keyed.exact.replacingOccurrences(of: " AND " + SearchText.ftsPhrase(SubjectSearchKeys.raiser(f.bob.id)), with: ""))
        #expect(plain.candidates.isSuperset(of: flat12))
        // A raiser with no email: the key alone is the match.
        let nobody = try data.store.read { db in
            try EmailQueryPlanner.rangeWalkMatch(db, "Flat 12", keys: [SubjectSearchKeys.raiser(999_999)], highestID: 1_000,
                                                 exactEntries: 600_000, rowPerEntry: 500)
        }
        #expect(nobody?.exact == SearchText.ftsPhrase(SubjectSearchKeys.raiser(999_999)) && nobody?.share == 0)
    }
}
