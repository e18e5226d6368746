import AuditCore
import Foundation
import GRDB
import Testing
@testable import AuditStore

@Suite("Schema v5 → v6")
struct SchemaV6MigrationTests {
    /// A version 5 store gains the notification tables, its staff get addresses on their
    /// account's domain, and its next problem status raises a notification; nothing is
    /// raised for problems that happened before the upgrade.
    @Test func aVersion5StoreGainsNotifications() throws {
        let folder = TempFolder()
        let (path, queue) = try folder.store(migratedUpTo: "v5")
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO accounts (id, name) VALUES (1, 'Harbour Lets'), (2, 'Northgate');
                INSERT INTO staff (id, account_id, name, role) VALUES (1, 1, 'Zoë Clarke', 'staff'), (2, 2, 'Ruth Ashworth', 'staff');
                INSERT INTO users (id, name, login, role, account_id, staff_id) VALUES (1, 'Zoë Clarke', 'zoe.clarke', 'staff', 1, 1),
                    (2, 'Ruth Ashworth', 'ruth.ashworth', 'staff', 2, 2), (3, 'Kate Ellison', 'kate.ellison', 'support', NULL, NULL);
                INSERT INTO emails (id, account_id, raised_by_id, activity, to_address, from_address, subject, body, created_at, status,
                                    provider_message_id, handed_over_at)
                    VALUES (10, 1, 1, 'receipt', 'gone@example.net', 'Harbour Lets <accounts@mg.harbourlets.co.uk>', 's', 'b',
                            1790000000000, \(EmailStatus.failed.code), 'old@mg', 1790000000000),
                           (11, 1, 1, 'receipt', 'later@example.net', 'Harbour Lets <accounts@mg.harbourlets.co.uk>', 's', 'b',
                            1790000000000, 0, 'new@mg', 1790000000000);
                """)
        }
        #expect(try queue.read { try Int.fetchOne($0, sql: "PRAGMA user_version") } == 5)
        try queue.close()

        let store = try AuditDatabase(path: path, timeZone: london)
        #expect(try store.schemaVersion() == Schema.version, "v6 (and every later migration) ran")
        #expect(try store.pool.read { try String.fetchAll($0, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid") }
                == Schema.migrationIdentifiers)
        let emails = try store.pool.read { try String.fetchAll($0, sql: "SELECT email FROM users ORDER BY id") }
        #expect(emails == ["zoe.clarke@harbourlets.co.uk", "", ""], "Northgate has no email to learn its domain from; support has no account")
        let zoe = try #require(try store.users().first { $0.login == "zoe.clarke" })
        let reader = try store.reader(for: zoe, accountID: 1)
        #expect(try reader.notifications().isEmpty, "no notification for what happened before")
        #expect(try reader.notificationPreferences() == .standard)
        let event = Events.giving(.rejected, recipient: "later@example.net", at: utcDate(2026, 9, 21, 12))!
        _ = try store.apply([Events.incoming(event, messageID: "new@mg", recipient: "later@example.net", auditID: 11)], defaultAccountID: nil)
        #expect(try reader.notifications().map(\.emailID) == [11])
        #expect(try reader.notifications().map(\.status) == [.rejected])
    }
}
