import AuditCore
import Foundation
import GRDB
import Testing
@testable import AuditStore

@Suite("Schema v5 → v7")
struct SchemaV7MigrationTests {
    @Test func aVersion5StoreGainsTheResendTablesAndKeepsItsEmails() throws {
        let folder = TempFolder()
        let (path, queue) = try folder.store(migratedUpTo: "v5")
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO accounts (id, name) VALUES (1, 'Harbour Lets');
                INSERT INTO staff (id, account_id, name, role) VALUES (1, 1, 'Zoë Clarke', 'staff');
                INSERT INTO users (id, name, login, role, account_id, staff_id) VALUES (1, 'Zoë Clarke', 'zoe.clarke', 'staff', 1, 1);
                INSERT INTO emails (id, account_id, raised_by_id, activity, to_address, from_address, subject, body, created_at)
                    VALUES (10, 1, 1, 'receipt', 'pat@example.net', 'a@b.c', 'Receipt', 'Thanks', 1000);
                """)
        }
        #expect(try queue.read { try Int.fetchOne($0, sql: "PRAGMA user_version") } == 5)
        try queue.close()
        let store = try AuditDatabase(path: path, timeZone: london)
        #expect(try store.schemaVersion() == Schema.version)
        #expect(try store.pool.read { try String.fetchAll($0, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid") }.contains("v7"))
        let zoe = try #require(try store.users().first)
        let reader = try store.reader(for: zoe, accountID: 1)
        #expect(try reader.detail(emailID: 10)?.links == ResendLinks())
        let outcome = try reader.resend(emailID: 10, to: nil, updateContacts: false, at: Date(timeIntervalSince1970: 2))
        #expect(try reader.detail(emailID: 10)?.links.resentAs == [outcome.newEmailID])
    }
}
