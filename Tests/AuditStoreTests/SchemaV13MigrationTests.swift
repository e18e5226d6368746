import AuditCore
import Foundation
import GRDB
import Synchronization
import Testing
@testable import AuditStore

/// Version 13: positional status details and emails found by `message_hash` instead of the
/// unique (message id, recipient) text index.
@Suite("Schema v13: compact emails rows")
struct SchemaV13MigrationTests {
    let t0 = utcDate(2026, 6, 10, 9)
    var now: Date { t0.addingTimeInterval(86_400) }

    /// A store with emails in every kind of state, their events ingested through the one path:
    /// delivered with SMTP details, temporary and permanent failures, a suppression bounce, a
    /// rejection, a cc sibling, an External email and one never handed over.
    func filledStore() throws -> (Fixture, [IncomingEvent]) {
        let f = try Fixture()
        var events: [IncomingEvent] = []
        let chains: [[EmailStatus]] = [[.accepted, .delivered, .opened], [.accepted, .temporaryFailure, .failed],
                                       [.accepted, .delivered, .clicked, .complained], [.rejected], [.accepted], [.delivered]]
        for (index, chain) in chains.enumerated() {
            let to = "tenant\(index)@example.net"
            let id = try f.store.record([f.newEmail(by: index % 2 == 0 ? f.alice : f.bob, to: to, at: t0.addingTimeInterval(Double(index)),
                                                    subject: "Receipt \(index)", cc: index == 0 ? ["cc@example.org"] : [])])[0]
            let messageID = try f.handOver(id, at: t0.addingTimeInterval(60))
            for (step, status) in chain.enumerated() {
                let event = Events.giving(status, recipient: to, at: t0.addingTimeInterval(Double(120 + step * 60)))!
                events.append(Events.incoming(event, messageID: messageID, recipient: to, auditID: id))
            }
            if index == 0 {
                // The cc recipient's copy: a sibling row with the same message id.
                events.append(Events.incoming(Events.giving(.delivered, recipient: "cc@example.org", at: t0.addingTimeInterval(200))!,
                                              messageID: messageID, recipient: "cc@example.org", auditID: id))
            }
        }
        // A bounce the provider gave because the address is suppressed (the suppression list
        // counts these through json_extract on the stored detail).
        let blocked = try f.store.record([f.newEmail(by: f.alice, to: "gone@example.net", at: t0.addingTimeInterval(30))])[0]
        let blockedMessage = try f.handOver(blocked, at: t0.addingTimeInterval(60))
        events.append(Events.incoming(Events.make(.failed, recipient: "gone@example.net", at: t0.addingTimeInterval(90),
                                                  severity: .permanent, reason: "bounce", code: 550),
                                      messageID: blockedMessage, recipient: "gone@example.net", auditID: blocked))
        let later = try f.store.record([f.newEmail(by: f.alice, to: "gone@example.net", at: t0.addingTimeInterval(600))])[0]
        let laterMessage = try f.handOver(later, at: t0.addingTimeInterval(600))
        events.append(Events.incoming(Events.make(.failed, recipient: "gone@example.net", at: t0.addingTimeInterval(601),
                                                  severity: .permanent, reason: "suppress-bounce", code: 605),
                                      messageID: laterMessage, recipient: "gone@example.net", auditID: later))
        // A message the store never recorded: an External email.
        events.append(Events.incoming(Events.giving(.delivered, recipient: "outside@example.com", at: t0.addingTimeInterval(700))!,
                                      messageID: "external-1@other.example.com", recipient: "outside@example.com"))
        // Never handed over: no message id.
        _ = try f.store.record([f.newEmail(by: f.bob, to: "waiting@example.net", at: t0.addingTimeInterval(900))])
        _ = try f.store.apply(events, defaultAccountID: nil)
        #expect(try f.store.suppression(for: "gone@example.net", accountID: f.account.id) != nil)
        return (f, events)
    }

    /// What the screen, View, `show` and search read of `store`.
    func answers(_ store: AuditDatabase, account: Int64) throws -> [String] {
        var lines: [String] = []
        let ids = try allPages(store, EmailFilter(dateRange: .all), limit: 4, now: now).map(\.id)
        lines.append("all \(ids)")
        for id in ids {
            lines.append("\(String(describing: try store.detail(emailID: id)))")
            lines.append("\(try store.rawEvents(emailID: id))")
        }
        lines.append("\(try store.statusDetails(emailIDs: ids).sorted { $0.key < $1.key })")
        for filter in [EmailFilter(accountID: account, statuses: [.failed, .temporaryFailure], dateRange: .all),
                       EmailFilter(to: .exact("tenant1@example.net"), dateRange: .all), EmailFilter(to: .domain("example.net"), dateRange: .all),
                       EmailFilter(to: .contains("gone"), dateRange: .all), EmailFilter(subject: "Receipt 3", dateRange: .all)] {
            lines.append("\(filter.to.map { "\($0)" } ?? "") \(filter.subject ?? ""): \(try allPages(store, filter, limit: 3, now: now).map(\.id))")
            lines.append("\(try store.statusCounts(matching: filter, now: now).byStatus.sorted { $0.key.code < $1.key.code })")
        }
        for messageID in ["m1@mg.example.com", "<m1@mg.example.com>", "external-1@other.example.com", "nothing@example.com"] {
            lines.append("\(messageID): \(try store.emailIDs(messageID: messageID)) \(try store.emailIDs(messageID: messageID, accountID: account))")
        }
        lines.append("\(String(describing: try store.suppression(for: "gone@example.net", accountID: account)))")
        lines.append("\(try store.eventCount()) \(try store.emailCount())")
        return lines
    }

    static func expectSame(_ after: [String], _ before: [String]) {
        #expect(after.count == before.count)
        for (got, wanted) in zip(after, before) { #expect(got == wanted) }
    }

    /// Turns a current store back into version 11's layout (object details, the unique text
    /// index, no hashes), as a store written by the previous release.
    static func undoV13(_ db: Database) throws {
        try SchemaV14MigrationTests.undoV14(db)  // it came after
        let object = DatabaseFunction("test_object_detail", argumentCount: 1, pure: true) { values in
            StorageEncoding.statusDetailObjectJSON(StorageEncoding.decodeStatusDetail(String.fromDatabaseValue(values[0])))
        }
        db.add(function: object)
        try db.execute(sql: """
            UPDATE emails SET status_detail = test_object_detail(status_detail) WHERE status_detail IS NOT NULL;
            DROP INDEX emails_message_hash;
            ALTER TABLE emails DROP COLUMN message_hash;
            ALTER TABLE emails ADD COLUMN from_address TEXT NOT NULL DEFAULT '';
            UPDATE emails SET from_address = (SELECT address FROM senders WHERE id = emails.sender_id);
            ALTER TABLE emails DROP COLUMN sender_id;
            DROP TABLE senders;
            CREATE UNIQUE INDEX emails_message_recipient ON emails(provider_message_id, to_address)
                WHERE provider_message_id IS NOT NULL;
            DELETE FROM grdb_migrations WHERE identifier = 'v13';
            PRAGMA user_version = 13;
            """)
        db.remove(function: object)
    }

    @Test func aVersion11StoreUpgradesWithTheSameAnswersAndProgress() throws {
        let (f, events) = try filledStore()
        let before = try answers(f.store, account: f.account.id)
        try f.store.close()
        let queue = try DatabaseQueue(path: f.path)
        try queue.writeWithoutTransaction { try Self.undoV13($0) }
        let emails = try queue.read { db in
            #expect(try String.fetchAll(db, sql: "SELECT status_detail FROM emails WHERE status_detail IS NOT NULL").allSatisfy { $0.hasPrefix("{\"status\":") })
            return try Int.fetchOne(db, sql: "SELECT count(*) FROM emails") ?? 0
        }
        try queue.close()

        let reports = Mutex<[UpgradeProgress]>([])
        let store = try AuditDatabase(path: f.path, timeZone: london, upgradeProgress: { progress in
            reports.withLock { $0.append(progress) }
        })
        #expect(try store.schemaVersion() == Schema.version)
        Self.expectSame(try answers(store, account: f.account.id), before)
        let progress = reports.withLock { $0 }.filter { $0.step == "Compacting emails" }
        #expect(progress.first?.done == 0)
        #expect(progress.last == UpgradeProgress(step: "Compacting emails", done: emails, total: emails))
        try store.read { db in
            for row in try Row.fetchAll(db, sql: "SELECT provider_message_id, message_hash, status_detail, \(Senders.address(of: "emails")) FROM emails") {
                let messageID: String? = row[0]
                #expect(row[1] as Int64? == messageID.map(MessageIDHash.of))
                #expect(!(row[3] as String).isEmpty)
                if let detail = row[2] as String? { #expect(detail.hasPrefix("[")) }
            }
            let indexes = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index'")
            #expect(!indexes.contains("emails_message_recipient") && indexes.contains("emails_message_hash"))
            #expect(try Row.fetchAll(db, sql: "PRAGMA table_info(emails)").allSatisfy { ($0["name"] as String) != "from_address" })
            // One row per distinct (account, From header), every email naming one.
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM senders")
                    == Int.fetchOne(db, sql: "SELECT count(*) FROM (SELECT DISTINCT account_id, sender_id FROM emails)"))
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM emails WHERE sender_id IS NULL") == 0)
        }
        // Every event finds its email through the new index: none is stored again, no email is made.
        let again = try store.apply(events, defaultAccountID: nil)
        #expect(again.inserted == 0 && again.duplicates == events.count)
        Self.expectSame(try answers(store, account: f.account.id), before)
    }

    /// A store migrated up to version 11 by the migrator itself, rows written as version 11 wrote them.
    @Test func aStoreMigratedUpToV11ConvertsEveryRow() throws {
        let folder = TempFolder()
        let (path, queue) = try folder.store(migratedUpTo: "v11")
        let delivered = StatusDetail(status: .delivered, code: 250, message: "OK", description: "", mxHost: "mx.example.net",
                                     attemptNumber: 1, occurredAt: Date(timeIntervalSince1970: 1_781_000_000.123456))
        let failed = StatusDetail(status: .failed, severity: .permanent, reason: "suppress-bounce", code: 605, enhancedCode: "5.0.0",
                                  message: "Not delivering to previously bounced address", retrySeconds: 0, rejectReason: "",
                                  occurredAt: Date(timeIntervalSince1970: 1_781_000_100))
        try queue.write { db in
            try db.execute(sql: "INSERT INTO accounts (id, name) VALUES (1, 'Harbour Lets')")
            try db.execute(sql: "INSERT INTO staff (id, account_id, name, role) VALUES (1, 1, 'Zoë Clarke', 'staff')")
            for (id, messageID, detail) in [(1, "a@mg.example.com", delivered), (2, "b@mg.example.com", failed), (3, nil, nil)] as [(Int, String?, StatusDetail?)] {
                try db.execute(sql: """
                    INSERT INTO emails (id, account_id, raised_by_id, activity, to_address, from_address, subject, body, created_at,
                                        status, status_detail, provider_message_id)
                    VALUES (?, 1, 1, 'receipt', 'p@example.net', 'a@b.c', 'Receipt', 'Thanks', ?, ?, ?, ?)
                    """, arguments: [id, 1_781_000_000_000 + Int64(id), detail?.status.code ?? 0,
                                     StorageEncoding.statusDetailObjectJSON(detail), messageID])
            }
        }
        try queue.close()
        let store = try AuditDatabase(path: path, timeZone: london)
        let rows = try store.read { try Row.fetchAll($0, sql: "SELECT status_detail, message_hash FROM emails ORDER BY id") }
        #expect(rows.map { $0[0] as String? } == [
            "[2,1781000000123456,250,\"OK\",\"\",\"mx.example.net\",1]",
            "[\(EmailStatus.failed.code),1781000100000000,605,\"Not delivering to previously bounced address\",null,null,null,\"permanent\",\"suppress-bounce\",\"5.0.0\",0,\"\"]",
            nil,
        ])
        #expect(rows.map { $0[1] as Int64? } == [MessageIDHash.of("a@mg.example.com"), MessageIDHash.of("b@mg.example.com"), nil])
        let details = try store.statusDetails(emailIDs: [1, 2, 3])
        #expect(details[1] == StorageEncoding.decodeStatusDetailObject(StorageEncoding.statusDetailObjectJSON(delivered)))
        #expect(details[2] == StorageEncoding.decodeStatusDetailObject(StorageEncoding.statusDetailObjectJSON(failed)))
        #expect(details[3] == nil)
        #expect(try store.emailIDs(messageID: "b@mg.example.com") == [2])
    }

    /// Every field survives the positional form, nil and "" stay apart, and trailing nils are not written.
    @Test func thePositionalFormRoundTrips() {
        let at = Date(timeIntervalSince1970: 1_781_000_000.654321)
        let details = [
            StatusDetail(status: .opened, occurredAt: at),
            StatusDetail(status: .accepted),
            StatusDetail(status: .delivered, code: 250, message: "OK", description: "", mxHost: "gmail-smtp-in.l.google.com",
                         attemptNumber: 1, occurredAt: at),
            StatusDetail(status: .temporaryFailure, severity: .temporary, reason: "generic", code: 452, enhancedCode: "4.2.2",
                         message: "Mailbox \"full\"\n", description: "Try later", mxHost: "mx.example.net", attemptNumber: 3,
                         retrySeconds: 600, rejectReason: nil, occurredAt: at),
            StatusDetail(status: .rejected, rejectReason: "'to' parameter is not a valid address"),
        ]
        for detail in details {
            let text = StorageEncoding.statusDetailJSON(detail)
            #expect(StorageEncoding.decodeStatusDetail(text) == detail, "\(String(describing: text))")
            #expect(text.map { !$0.hasSuffix(",null]") } == true)
            // The same detail as the version 1 object form reads it (what the upgrade converts).
            #expect(StorageEncoding.decodeStatusDetailObject(StorageEncoding.statusDetailObjectJSON(detail)) == detail)
        }
        #expect(StorageEncoding.statusDetailJSON(details[0]) == "[3,1781000000654321]")
        #expect(StorageEncoding.statusDetailJSON(details[1]) == "[1]")
        #expect(StorageEncoding.statusDetailJSON(nil) == nil)
        #expect(StorageEncoding.decodeStatusDetail("[99]") == nil && StorageEncoding.decodeStatusDetail("{\"status\":2}") == nil)
    }

    /// Two message ids with the same hash stay two messages: every lookup compares the whole id.
    @Test func aHashCollisionKeepsMessagesApart() throws {
        let f = try Fixture()
        let first = try f.store.record([f.newEmail(by: f.alice, to: "tenant@example.net", at: t0)])[0]
        let second = try f.store.record([f.newEmail(by: f.alice, to: "tenant@example.net", at: t0.addingTimeInterval(1))])[0]
        let firstMessage = try f.handOver(first, at: t0.addingTimeInterval(60))
        let secondMessage = try f.handOver(second, at: t0.addingTimeInterval(60))
        // Give the second email the first one's hash: both are candidates for every lookup of the first message.
        try f.store.pool.write { db in
            try db.execute(sql: "UPDATE emails SET message_hash = ? WHERE id = ?", arguments: [MessageIDHash.of(firstMessage), second])
        }
        #expect(try f.store.emailIDs(messageID: firstMessage) == [first])
        #expect(try f.store.emailIDs(messageID: secondMessage) == [])   // its own hash no longer names it
        // An event for the first message without an audit id lands on the first email (same
        // hash and recipient as the second, another message id), and its cc recipient becomes
        // the first email's sibling.
        let events = [
            Events.incoming(Events.giving(.delivered, recipient: "tenant@example.net", at: t0.addingTimeInterval(120))!,
                            messageID: firstMessage, recipient: "tenant@example.net"),
            Events.incoming(Events.giving(.failed, recipient: "tenant@example.net", at: t0.addingTimeInterval(120))!,
                            messageID: secondMessage, recipient: "tenant@example.net", auditID: second),
            Events.incoming(Events.giving(.opened, recipient: "cc@example.org", at: t0.addingTimeInterval(180))!,
                            messageID: firstMessage, recipient: "cc@example.org"),
        ]
        let result = try f.store.apply(events, defaultAccountID: nil)
        #expect(result.inserted == 3)
        #expect(try f.store.detail(emailID: first)?.email.status == .delivered)
        #expect(try f.store.detail(emailID: second)?.email.status == .failed)
        let siblings = try f.store.emailIDs(messageID: firstMessage)
        #expect(siblings.count == 2 && siblings.first == first)
        #expect(try f.store.detail(emailID: siblings[1])?.email.to == "cc@example.org")
        #expect(try f.store.emailCount() == 3)
    }
}
