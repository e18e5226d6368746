import AuditCore
import Foundation
import GRDB
import Testing
@testable import AuditStore

@Suite("Schema v2 → v3 → v5")
struct SchemaV5MigrationTests {
    @Test func aVersion2StoreGetsSearchThenUsersAndItsSuppressionsMoveToTheirAccounts() throws {
        let folder = TempFolder()
        let (path, queue) = try folder.store(migratedUpTo: "v2", named: "old")
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO accounts (id, name) VALUES (1, 'Harbour Lets'), (2, 'Northgate');
                INSERT INTO staff (id, account_id, name, role) VALUES (1, 1, 'Zoë Clarke', 'staff'), (2, 1, 'Kate Ellison', 'support'),
                    (3, 2, 'Zoë Clarke', 'staff');
                INSERT INTO staff (id, account_id, name, role, is_external) VALUES (4, 1, 'External', 'staff', 1);
                INSERT INTO emails (id, account_id, raised_by_id, activity, to_address, from_address, subject, body, created_at)
                    VALUES (10, 2, 3, 'receipt', 'gone@example.net', 'a@b.c', 's', 'b', 1000);
                INSERT INTO suppressions (address, kind, created_at, reason, email_id) VALUES ('gone@example.net', 'bounce', 2000, '550 gone', 10);
                INSERT INTO suppressions (address, kind, created_at, reason, email_id, lifted_at, lifted_by)
                    VALUES ('back@example.net', 'complaint', 3000, 'spam', NULL, 4000, 2);
                """)
        }
        try queue.close()
        let store = try AuditDatabase(path: path, timeZone: london)
        #expect(try store.schemaVersion() == Schema.version)
        // v3 ran on the way (search indexes filled from the version 2 rows), then v5.
        #expect(try store.pool.read { try String.fetchAll($0, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid") }
                == Schema.migrationIdentifiers)
        for filter in [EmailFilter(to: .domain("example.net"), dateRange: .all), EmailFilter(to: .contains("gone"), dateRange: .all),
                       EmailFilter(subject: "s", dateRange: .all)] {
            #expect(try store.summaries(matching: filter, from: nil, direction: .older, limit: 10, now: Date()).map(\.id) == [10])
        }
        let users = try store.users()
        #expect(users.map(\.login) == ["kate.ellison", "zoe.clarke", "zoe.clarke2"])
        #expect(users.map(\.accountID) == [nil, 1, 2])
        #expect(users[0].isSupport && users[0].staffID == 2)
        #expect(try store.suppressions(accountID: 2).map(\.address) == ["gone@example.net"])
        #expect(try store.suppressions(accountID: 1).isEmpty, "the lifted entry stays lifted")
        #expect(try store.suppressionHistory(address: "back@example.net", accountID: 1).map(\.action) == [.added, .removed])
        #expect(try store.suppressionHistory(address: "back@example.net", accountID: 1).last?.by == "Kate Ellison")
    }
}
