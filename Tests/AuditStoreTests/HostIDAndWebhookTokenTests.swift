import AuditCore
import Foundation
import GRDB
import Testing
@testable import AuditStore

@Suite("Host ids and webhook tokens (schema v4)")
struct HostIDAndWebhookTokenTests {
    func email(_ account: Int64, _ staff: Int64, hostID: String?, to: String = "a@example.net") -> NewEmail {
        NewEmail(accountID: account, raisedByID: staff, activity: .receiptRecorded, to: to, from: "x@mg.example.com",
                 subject: "s", textBody: "b", createdAt: Date(), hostID: hostID)
    }

    @Test func aVersion2StoreIsUpgradedAndKeepsItsEmails() throws {
        let folder = TempFolder()
        let path = folder.path("v2.sqlite")
        do {
            let pool = try DatabasePool(path: path)
            try Schema.migrator.migrate(pool, upTo: "v2")
            try pool.write { db in
                try db.execute(sql: "INSERT INTO accounts (id, name) VALUES (1, 'Acme')")
                try db.execute(sql: "INSERT INTO staff (id, account_id, name, role) VALUES (1, 1, 'Ann', 'staff')")
                try db.execute(sql: """
                    INSERT INTO emails (account_id, raised_by_id, activity, to_address, from_address, subject, body, created_at)
                    VALUES (1, 1, 'receipt', 'old@example.net', 'x@y.z', 's', 'b', 0)
                    """)
            }
            try pool.close()
        }
        let store = try AuditDatabase(path: path, timeZone: london)
        #expect(try store.schemaVersion() == Schema.version)
        #expect(try store.pendingHandOver(limit: 5).map(\.to) == ["old@example.net"])
        let first = try store.recordFromHost([email(1, 1, hostID: "H-1")])
        #expect(first == [HostRecording(emailID: 2, created: true)])
    }

    @Test func recordingFromTheHostIsIdempotentPerAccount() throws {
        let folder = TempFolder()
        let store = try AuditDatabase(path: folder.path("a.sqlite"), timeZone: london)
        let one = try store.insertAccount(name: "One"), two = try store.insertAccount(name: "Two")
        let ann = try store.insertStaff(accountID: one.id, name: "Ann", role: .staff)
        let bob = try store.insertStaff(accountID: two.id, name: "Bob", role: .staff)
        let first = try store.recordFromHost([email(one.id, ann.id, hostID: "H-1"), email(one.id, ann.id, hostID: "H-1")])
        #expect(first[0].created && !first[1].created && first[0].emailID == first[1].emailID)
        let retry = try store.recordFromHost([email(one.id, ann.id, hostID: "H-1", to: "changed@example.net"), email(two.id, bob.id, hostID: "H-1")])
        #expect(retry[0] == HostRecording(emailID: first[0].emailID, created: false))
        #expect(retry[1].created && retry[1].emailID != first[0].emailID)
        #expect(try store.emailCount() == 2)
        #expect(try store.emailID(accountID: two.id, hostID: "H-1") == retry[1].emailID)
        #expect(throws: StoreError.self) { try store.recordFromHost([email(one.id, ann.id, hostID: nil)]) }
        #expect(throws: StoreError.self) { try store.record([email(one.id, ann.id, hostID: "H-1")]) }
        #expect(try store.emailCount() == 2)
    }

    @Test func aWebhookTokenIsBoundToTheFirstEventItCarried() throws {
        let folder = TempFolder()
        let store = try AuditDatabase(path: folder.path("t.sqlite"), timeZone: london)
        let now = Date()
        #expect(try store.bindWebhookTokens([
            WebhookTokenUse(token: "t1", bodyDigest: "a", receivedAt: now),
            WebhookTokenUse(token: "t1", bodyDigest: "a", receivedAt: now),
            WebhookTokenUse(token: "t1", bodyDigest: "b", receivedAt: now),
            WebhookTokenUse(token: "t2", bodyDigest: "b", receivedAt: now),
        ]) == [true, true, false, true])
        #expect(try store.bindWebhookTokens([WebhookTokenUse(token: "t1", bodyDigest: "b", receivedAt: now),
                                             WebhookTokenUse(token: "t2", bodyDigest: "b", receivedAt: now)]) == [false, true])
        #expect(try store.forgetWebhookTokens(receivedBefore: now + 1) == 2)
        #expect(try store.bindWebhookTokens([WebhookTokenUse(token: "t1", bodyDigest: "b", receivedAt: now)]) == [true])
    }

    @Test func aGroupCommittedWithItsSyncDeferredIsStoredAndTheWritersLevelKept() throws {
        let folder = TempFolder()
        let store = try AuditDatabase(path: folder.path("t.sqlite"), timeZone: london)
        try store.requireFullDurability()
        let at = utcDate(2026, 3, 2, 9)
        let uses = [WebhookTokenUse(token: "t1", bodyDigest: "a", receivedAt: at),
                    WebhookTokenUse(token: "t2", bodyDigest: "b", receivedAt: at)]
        let events = [Events.incoming(Events.giving(.delivered, recipient: "x@example.net", at: at)!, messageID: "m1", recipient: "x@example.net"),
                      Events.incoming(Events.giving(.opened, recipient: "x@example.net", at: at + 60)!, messageID: "m1", recipient: "x@example.net")]
        let result = try store.bindWebhookTokensAndApply(uses, events: events, defaultAccountID: nil, deferringSync: true)
        #expect(result.bound == [true, true])
        #expect(result.applied.inserted == 2)
        #expect(result.applied.statusChanges.map(\.new) == [.opened])
        try store.syncWriteAheadLog()
        #expect(try store.eventCount() == 2)
        // The deferred commit changed the level for its own transaction only: later commits wait for the disk again.
        #expect(try store.pool.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") } == 2)
        // The same tokens again: a retry of the same events stores nothing new, another body is refused.
        let again = try store.bindWebhookTokensAndApply([uses[0], WebhookTokenUse(token: "t2", bodyDigest: "c", receivedAt: at)],
                                                        events: events, defaultAccountID: nil, deferringSync: true)
        #expect(again.bound == [true, false])
        #expect(again.applied.inserted == 0 && again.applied.duplicates == 1)
    }
}
