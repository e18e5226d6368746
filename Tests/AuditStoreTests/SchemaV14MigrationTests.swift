import AuditCore
import Foundation
import GRDB
import Synchronization
import Testing
@testable import AuditStore

/// Version 14: the failures index's condition is `(status = 6 OR status = 7 OR status = 9)`, not
/// `status IN (6, 7, 9)`, so updating an email's status builds no ephemeral table.
@Suite("Schema v14: the failures index's condition")
struct SchemaV14MigrationTests {
    /// Undoes migration v14 on `db`: the index as version 9 made it (for the tests that rebuild older layouts).
    static func undoV14(_ db: Database) throws {
        try SchemaV15MigrationTests.undoV15(db)  // it came after
        try db.execute(sql: """
            DROP INDEX IF EXISTS emails_account_failure_address;
            CREATE INDEX emails_account_failure_address ON emails(account_id, status, to_address, created_at)
                WHERE status IN (6, 7, 9);
            DELETE FROM grdb_migrations WHERE identifier = 'v14';
            PRAGMA user_version = 14;
            """)
    }

    @Test func aVersion13StoreUpgradesWithTheSameFailuresByDomain() throws {
        let folder = TempFolder()
        let (path, queue) = try folder.store(migratedUpTo: "v13")
        // Ten emails per status, over three recipient domains.
        var expected: [String: DomainFailures] = [:]
        try queue.write { db in
            try db.execute(sql: "INSERT INTO accounts (id, name) VALUES (1, 'Harbour Lets')")
            try db.execute(sql: "INSERT INTO staff (id, account_id, name, role) VALUES (1, 1, 'Zoë Clarke', 'staff')")
            var id = 0
            for status in EmailStatus.allCases {
                for n in 0..<10 {
                    id += 1
                    let domain = ["example.net", "example.org", "mail.example.com"][n % 3]
                    try db.execute(sql: """
                        INSERT INTO emails (id, account_id, raised_by_id, activity, to_address, subject, body, created_at, status)
                        VALUES (?, 1, 1, 'receipt', ?, 'Receipt', 'Thanks', ?, ?)
                        """, arguments: [id, "tenant\(id)@\(domain)", 1_781_000_000_000 + Int64(id), status.code])
                    var row = expected[domain] ?? DomainFailures(domain: domain)
                    switch status {
                    case .failed: row.failed += 1
                    case .complained: row.complained += 1
                    case .rejected: row.rejected += 1
                    default: continue
                    }
                    expected[domain] = row
                }
            }
            let old = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'emails_account_failure_address'")
            #expect(old?.contains("status IN (6, 7, 9)") == true)
        }
        try queue.close()

        let reports = Mutex<[UpgradeProgress]>([])
        let store = try AuditDatabase(path: path, timeZone: london, upgradeProgress: { progress in
            reports.withLock { $0.append(progress) }
        })
        #expect(try store.schemaVersion() == Schema.version)
        let progress = reports.withLock { $0 }.filter { $0.step == "Rebuilding the failures index" }
        #expect(progress == [UpgradeProgress(step: "Rebuilding the failures index", done: 0, total: 100),
                             UpgradeProgress(step: "Rebuilding the failures index", done: 100, total: 100)])
        try store.read { db in
            let sql = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'emails_account_failure_address'")
            #expect(sql?.contains("WHERE (status = 6 OR status = 7 OR status = 9)") == true)
            // The same thirty rows as the list named.
            let indexed = try Int64.fetchAll(db, sql: """
                SELECT id FROM emails INDEXED BY emails_account_failure_address
                WHERE account_id = 1 AND \(EmailQueryPlanner.failureStatusCondition) ORDER BY id
                """)
            let listed = try Int64.fetchAll(db, sql: "SELECT id FROM emails NOT INDEXED WHERE status IN (6, 7, 9) ORDER BY id")
            #expect(indexed.count == 30 && indexed == listed)
            // An update of the status builds no ephemeral table for the index's condition any more.
            let plan = try Row.fetchAll(db, sql: "EXPLAIN UPDATE emails SET status = 6 WHERE id = 1").map { $0["opcode"] as String }
            #expect(!plan.contains("OpenEphemeral"))
        }
        // Failures by domain reads the rebuilt index (INDEXED BY: an unusable index is an error).
        let rows = try store.domainBreakdown(matching: EmailFilter(accountID: 1, dateRange: .all), now: Date())
        #expect(Set(rows) == Set(expected.values))
    }
}
