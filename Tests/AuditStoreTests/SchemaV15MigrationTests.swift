import AuditCore
import Foundation
import GRDB
import Synchronization
import Testing
@testable import AuditStore

/// Version 15: `emails_late`, the registry of emails dated before an email of their account
/// with a lower id, filled by the upgrade and kept by triggers.
@Suite("Schema v15: the late emails' registry")
struct SchemaV15MigrationTests {
    /// Undoes migration v15 on `db` (for the tests that rebuild older layouts).
    static func undoV15(_ db: Database) throws {
        try SchemaV16MigrationTests.undoV16(db)  // it came after
        try db.execute(sql: """
            DROP TRIGGER IF EXISTS emails_late_after_insert;
            DROP TRIGGER IF EXISTS emails_late_after_update;
            DROP TRIGGER IF EXISTS emails_late_after_delete;
            DROP TABLE IF EXISTS emails_late;
            DELETE FROM grdb_migrations WHERE identifier = 'v15';
            PRAGMA user_version = 15;
            """)
    }

    /// The late emails by their definition, read with no help from the registry.
    static func lateByDefinition(_ db: Database) throws -> Set<[Int64]> {
        Set(try Row.fetchAll(db, sql: """
            SELECT e.account_id, e.id FROM emails e NOT INDEXED
            WHERE EXISTS (SELECT 1 FROM emails o NOT INDEXED WHERE o.account_id = e.account_id AND o.id < e.id AND o.created_at > e.created_at)
            """).map { [$0[0], $0[1]] })
    }

    static func registry(_ db: Database) throws -> Set<[Int64]> {
        Set(try Row.fetchAll(db, sql: "SELECT account_id, id FROM emails_late").map { [$0[0], $0[1]] })
    }

    @Test func aVersion14StoreFindsItsLateEmailsWhenUpgraded() throws {
        let folder = TempFolder()
        let (path, queue) = try folder.store(migratedUpTo: "v14")
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO accounts (id, name) VALUES (1, 'Harbour Lets'), (2, 'Quay Estates');
                INSERT INTO staff (id, account_id, name, role) VALUES (1, 1, 'Zoë Clarke', 'staff'), (2, 2, 'Ann Lee', 'staff');
                """)
            // Two accounts interleaved; each account's dates mostly rise with the ids, with some
            // dated back (late), ties (not late) and one dated after everything so far.
            let offsets: [Int64] = [10, 20, 20, 15, 30, 25, 40, 5, 50, 45, 45, 60, 59, 70, 1, 80]
            for (index, offset) in offsets.enumerated() {
                let account = Int64(index % 3 == 0 ? 2 : 1)
                try db.execute(sql: """
                    INSERT INTO emails (id, account_id, raised_by_id, activity, to_address, subject, body, created_at, status)
                    VALUES (?, ?, ?, 'receipt', 'tenant@example.net', 'Receipt', 'Thanks', ?, 0)
                    """, arguments: [index + 1, account, account, 1_781_000_000_000 + offset * 1_000])
            }
            #expect(try db.tableExists("emails_late") == false)
        }
        let expected = try queue.read { db in try Self.lateByDefinition(db) }
        #expect(expected.count >= 4)
        try queue.close()

        let reports = Mutex<[UpgradeProgress]>([])
        let store = try AuditDatabase(path: path, timeZone: london, upgradeProgress: { progress in
            reports.withLock { $0.append(progress) }
        })
        #expect(try store.schemaVersion() == Schema.version)
        let step = "Finding emails dated out of id order"
        #expect(reports.withLock { $0 }.filter { $0.step == step }
                == [UpgradeProgress(step: step, done: 0, total: 16), UpgradeProgress(step: step, done: 16, total: 16)])
        let registered = try store.read { db in try Self.registry(db) }
        #expect(registered == expected)
    }

    @Test func theTriggersKeepTheRegistryAsEmailsAreRecordedMovedAndDeleted() throws {
        let f = try Fixture()
        let t0 = utcDate(2026, 6, 10, 9)
        // Recorded in id order, dated out of it, in both accounts.
        let minutes = [0, 10, 5, 20, 20, 15, 30, 1, 40]
        let ids = try f.store.record(minutes.enumerated().map { index, minute in
            f.newEmail(by: index % 2 == 0 ? f.alice : f.carol, to: "tenant\(index)@example.net",
                       at: t0.addingTimeInterval(Double(minute * 60)))
        })
        try f.store.read { db in
            let late = try Self.lateByDefinition(db)
            #expect(late.count >= 2)
            #expect(try Self.registry(db) == late)
        }
        try f.store.write { db in
            // An email given back its id, dated after the emails of its account above it: they become late.
            let moved = ids[2]
            let row = try Row.fetchOne(db, sql: "SELECT * FROM emails WHERE id = ?", arguments: [moved])!
            try db.execute(sql: "DELETE FROM emails WHERE id = ?", arguments: [moved])
            #expect(try Self.registry(db) == Self.lateByDefinition(db))
            var columns: [String] = [], values: [DatabaseValue] = []
            for (column, value) in row where column != "to_domain" {
                columns.append(column)
                values.append(column == "created_at" ? (StorageEncoding.milliseconds(t0) + 35 * 60_000).databaseValue : value)
            }
            try db.execute(sql: "INSERT INTO emails (\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))",
                           arguments: StatementArguments(values))
            #expect(try Self.registry(db).isSuperset(of: [[f.alice.accountID, ids[4]], [f.alice.accountID, ids[6]]]))
            #expect(try Self.registry(db) == Self.lateByDefinition(db))
            // An email re-dated earlier (an External email taking its first event's time) is late.
            try db.execute(sql: "UPDATE emails SET created_at = ? WHERE id = ?",
                           arguments: [StorageEncoding.milliseconds(t0) - 60_000, ids[8]])
            #expect(try Self.registry(db).contains([f.alice.accountID, ids[8]]))
            #expect(try Self.registry(db) == Self.lateByDefinition(db))
            // Re-dated later: the emails of its account above it dated before it are late; it may stay listed.
            try db.execute(sql: "UPDATE emails SET created_at = ? WHERE id = ?",
                           arguments: [StorageEncoding.milliseconds(t0) + 120 * 60_000, ids[1]])
            #expect(try Self.registry(db).contains([f.carol.accountID, ids[3]]))
            #expect(try Self.registry(db).isSuperset(of: Self.lateByDefinition(db)))
            // A deleted email leaves the registry.
            let listed = [f.alice.accountID, ids[8]]
            try db.execute(sql: "DELETE FROM emails WHERE id = ?", arguments: [ids[8]])
            #expect(try !Self.registry(db).contains(listed))
        }
    }

    @Test func aWalkThatFillsItsPageEarlyReadsTheLateEmailsNotItsTimeWindow() throws {
        let data = try SearchData()
        let f = data.fixture
        let filter = EmailFilter(accountID: f.account.id, subject: "for", dateRange: .all)
        let span = DateRangeChoice.all.interval(now: data.now, timeZone: data.store.timeZone)
        func statements(registry: Bool) throws -> (ids: [Int64], sql: [String]) {
            var limits = SubjectSearchLimits(sample: 0, commonInSample: 1, rowids: 0, idSet: 0, walkChunk: 3, walkWindow: 1_000_000,
                                             rangeWalk: false)
            limits.walkLateRegistry = registry
            return try data.store.read { db in
                let walk = try #require(try EmailQueryPlanner.subjectWalk(
                    db, filter: filter, cursor: nil, direction: .older, limit: 5, span: span,
                    summaryColumns: AuditDatabase.summaryColumns, limits: limits))
                var sql: [String] = []
                db.trace { sql.append($0.description) }
                defer { db.trace(nil) }
                let page = try walk.page(db)
                return (page.map(\.summary.id), sql)
            }
        }
        let expected = Array(data.matching(filter).prefix(5).map(\.id))
        #expect(expected.count == 5)
        #expect(try SchemaV15MigrationTests.registryIsEmpty(data.store))
        let late = try statements(registry: true)
        #expect(late.ids == expected)
        #expect(late.sql.contains { $0.contains("emails_late WHERE account_id = ? AND id > ?") })
        #expect(!late.sql.contains { $0.contains("INDEXED BY emails_account_created") && $0.contains("OR id >") })
        // Without the registry, the same page from the window's entries.
        let window = try statements(registry: false)
        #expect(window.ids == expected)
        #expect(window.sql.contains { $0.contains("INDEXED BY emails_account_created") && $0.contains("OR id >") })
    }

    static func registryIsEmpty(_ store: AuditDatabase) throws -> Bool {
        try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM emails_late") == 0 }
    }
}
