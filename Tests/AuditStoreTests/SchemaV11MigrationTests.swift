import AuditCore
import Foundation
import GRDB
import Synchronization
import Testing
@testable import AuditStore

/// Version 12: events are found by `(email_id, key_hash)` instead of `(email_id, event_key)`.
@Suite("Schema v11: hashed event keys")
struct SchemaV11MigrationTests {
    let t0 = utcDate(2026, 6, 10, 9)

    /// A store with emails in several states, their events ingested through the one path.
    func filledStore() throws -> (Fixture, [Int64], [IncomingEvent]) {
        let f = try Fixture()
        var ids: [Int64] = []
        var events: [IncomingEvent] = []
        let statuses: [[EmailStatus]] = [[.accepted, .delivered, .opened], [.accepted, .temporaryFailure, .failed],
                                         [.accepted, .delivered, .clicked, .complained], [.rejected], [.accepted]]
        for (index, chain) in statuses.enumerated() {
            let to = "tenant\(index)@example.net"
            let id = try f.store.record([f.newEmail(by: index % 2 == 0 ? f.alice : f.bob, to: to, at: t0.addingTimeInterval(Double(index)))])[0]
            let messageID = try f.handOver(id, at: t0.addingTimeInterval(60))
            for (step, status) in chain.enumerated() {
                let event = Events.giving(status, recipient: to, at: t0.addingTimeInterval(Double(120 + step * 60)))!
                events.append(Events.incoming(event, messageID: messageID, recipient: to, auditID: id))
            }
            ids.append(id)
        }
        // Same time and attempt: the key breaks the tie, so it must survive the upgrade.
        let tied = t0.addingTimeInterval(3_600)
        for kind in [EmailStatus.opened, .clicked] {
            events.append(Events.incoming(Events.giving(kind, recipient: "tenant0@example.net", at: tied)!,
                                          messageID: "m\(ids[0])@mg.example.com", recipient: "tenant0@example.net", auditID: ids[0]))
        }
        _ = try f.store.apply(events, defaultAccountID: nil)
        return (f, ids, events)
    }

    /// What the screen and `show` read of `store`.
    func answers(_ store: AuditDatabase, _ ids: [Int64]) throws -> [String] {
        var lines: [String] = []
        for id in ids {
            lines.append("\(String(describing: try store.detail(emailID: id)))")
            lines.append("\(try store.rawEvents(emailID: id))")
        }
        lines.append("\(try store.statusCounts(matching: EmailFilter(), now: t0.addingTimeInterval(86_400)))")
        lines.append("\(try store.eventCount()) \(try store.emailCount())")
        return lines
    }

    /// Turns a current store back into version 10's layout (the v11 objects gone, the unique
    /// text index back), as a store written by the previous release.
    func downgradeToV10(_ path: String) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { db in
            try Self.undoV11(db)
            try db.execute(sql: "PRAGMA user_version = 10")
        }
        try queue.close()
    }

    /// Undoes migration v11 on `db` (for the tests that rebuild older layouts), and v13 and v12
    /// first, which came after it.
    static func undoV11(_ db: Database) throws {
        // A version 10 layout has not run the later migrations either (newest first).
        try SchemaV13MigrationTests.undoV13(db)
        try EventZstdTests.undoV12(db)
        try db.execute(sql: """
            DROP INDEX events_email_key_hash;
            DROP INDEX IF EXISTS email_resends_original_id;
            DROP INDEX IF EXISTS contact_changes_resend;
            ALTER TABLE events DROP COLUMN key_hash;
            UPDATE events SET event_key = provider_event_id || '|' || kind || event_key WHERE substr(event_key, 1, 1) = '|';
            UPDATE events SET event_key = substr(event_key, 2) WHERE substr(event_key, 1, 1) = '\\';
            CREATE UNIQUE INDEX events_email_key ON events(email_id, event_key);
            DELETE FROM grdb_migrations WHERE identifier = 'v11';
            """)
    }

    @Test func aVersion10StoreUpgradesWithTheSameAnswersAndProgress() throws {
        let (f, ids, events) = try filledStore()
        let before = try answers(f.store, ids)
        try f.store.close()
        try downgradeToV10(f.path)

        let reports = Mutex<[UpgradeProgress]>([])
        let store = try AuditDatabase(path: f.path, timeZone: london, upgradeProgress: { progress in
            reports.withLock { $0.append(progress) }
        })
        #expect(try store.schemaVersion() == Schema.version)
        #expect(try answers(store, ids) == before)
        // Version 13's step follows ("Compacting emails", SchemaV13MigrationTests).
        let progress = reports.withLock { $0 }.filter { $0.step == "Indexing event keys" }
        #expect(progress.first?.done == 0)
        #expect(progress.last == UpgradeProgress(step: "Indexing event keys", done: events.count, total: events.count))
        try store.read { db in
            for row in try Row.fetchAll(db, sql: "SELECT event_key, key_hash, provider_event_id || '|' || kind || event_key AS full_key FROM events") {
                #expect(row["key_hash"] as Int64 == EventKeyHash.of(row["full_key"]))
                #expect((row["event_key"] as String).hasPrefix("|tenant"))
            }
            let indexes = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index'")
            #expect(!indexes.contains("events_email_key"))
            #expect(indexes.contains("events_email_key_hash") && indexes.contains("email_resends_original_id")
                    && indexes.contains("contact_changes_resend"))
        }
        // Every event is already stored: none is stored again.
        let again = try store.apply(events, defaultAccountID: nil)
        #expect(again.inserted == 0 && again.duplicates == events.count)
        #expect(try answers(store, ids) == before)
    }

    /// Two different keys with the same hash are two events; the same key twice is one.
    @Test func aHashCollisionKeepsBothEvents() throws {
        let f = try Fixture()
        let id = try f.store.record([f.newEmail(by: f.alice, to: "tenant@example.net", at: t0)])[0]
        let messageID = try f.handOver(id, at: t0.addingTimeInterval(60))
        let first = Events.incoming(Events.giving(.accepted, recipient: "tenant@example.net", at: t0.addingTimeInterval(120))!,
                                    messageID: messageID, recipient: "tenant@example.net", auditID: id)
        let second = Events.incoming(Events.giving(.delivered, recipient: "tenant@example.net", at: t0.addingTimeInterval(180))!,
                                     messageID: messageID, recipient: "tenant@example.net", auditID: id)
        #expect(try f.store.apply([first], defaultAccountID: nil).inserted == 1)
        // Make the stored row's hash the one the second event's key will have.
        try f.store.pool.write { db in
            try db.execute(sql: "UPDATE events SET key_hash = ?", arguments: [EventKeyHash.of(second.event.key)])
        }
        let result = try f.store.apply([second, second], defaultAccountID: nil)
        #expect(result.inserted == 1 && result.duplicates == 1)
        #expect(try f.store.detail(emailID: id)?.events.map(\.key) == [first.event.key, second.event.key])
        #expect(try f.store.detail(emailID: id)?.email.status == .delivered)
    }

    /// The hash is frozen: stored rows were written with these values.
    @Test func theHashIsFNV1a() {
        #expect(EventKeyHash.of("") == Int64(bitPattern: 0xCBF2_9CE4_8422_2325))
        #expect(EventKeyHash.of("a") == Int64(bitPattern: 0xAF63_DC4C_8601_EC8C))
        #expect(EventKeyHash.of("foobar") == Int64(bitPattern: 0x85944171F73967E8))
    }

    /// The insert finds its candidates through the new index.
    @Test func theInsertUsesTheHashIndex() throws {
        let f = try Fixture()
        let details = try f.store.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN SELECT 1 FROM events WHERE email_id = 1 AND key_hash = 2 AND event_key = 'k'")
                .map { $0["detail"] as String }
        }
        #expect(details.contains { $0.contains("events_email_key_hash") }, "\(details)")
    }
}
