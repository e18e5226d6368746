import AuditCore
import Foundation
import PostgresNIO
import Testing
@testable import AuditStorePostgres

/// Schema version 7: a change to `notifications` or `notification_preferences` on one connection
/// advances the change token and sends a notice, as a change to `emails` does, so another
/// machine's notification view and Workbench refresh when it commits.
@Suite("PostgreSQL notification notices", .enabled(if: TestServer.isConfigured,
                                                   "needs a server: set EMAIL_AUDIT_TEST_POSTGRES_URL (scripts/pg_throwaway.sh start prints one)"))
struct PostgresNotificationNoticesTests {
    /// Counts the notices a listening connection receives.
    final class NoticeCounter: @unchecked Sendable {
        private let lock = NSLock()
        private var received = 0
        var count: Int { lock.withLock { received } }
        func add() { lock.withLock { received += 1 } }

        /// Waits up to two seconds for more than `count` notices; whether they came.
        func waitForMore(than count: Int) -> Bool {
            let start = Date()
            while Date().timeIntervalSince(start) < 2 {
                if self.count > count { return true }
                Thread.sleep(forTimeInterval: 0.005)
            }
            return false
        }
    }

    /// Calls `token` until it differs from `old`, for at most two seconds; the new token.
    func changed(from old: Int64, _ token: () throws -> Int64) throws -> Int64? {
        let start = Date()
        while Date().timeIntervalSince(start) < 2 {
            let now = try token()
            if now != old { return now }
            Thread.sleep(forTimeInterval: 0.005)
        }
        return nil
    }

    /// A store with one account, a staff member (and their sign-in user) and one email; the
    /// writer's store, the user's id and the email's id and creation time in milliseconds.
    func prepare(_ writer: PostgresAuditStore) throws -> (account: Int64, user: Int64, email: Int64, createdMilliseconds: Int64) {
        let account = try writer.insertAccount(name: "Harbour Lets")
        let staff = try writer.insertStaff(accountID: account.id, name: "Priya Shah", role: .staff)
        let user = try #require(try writer.users().first { $0.staffID == staff.id })
        let created = utc(2026, 12, 4, 9)
        let email = try #require(try writer.record([NewEmail(accountID: account.id, raisedByID: staff.id, activity: .receiptRecorded,
                                                             to: "bounce.alice@example.net", from: "lettings@harbour.example",
                                                             subject: "Receipt", textBody: "Thanks", createdAt: created)]).first)
        return (account.id, user.id, email, Int64(created.timeIntervalSince1970 * 1000))
    }

    /// Inserts a Failed notification of the email for the user on `db` (as the ingest's raising
    /// does, without the email and event changes around it); its id.
    func insertNotification(on db: BlockingPostgresConnection, account: Int64, user: Int64, email: Int64,
                            createdMilliseconds: Int64) throws -> Int64 {
        try #require(try db.rows("""
            INSERT INTO notifications (account_id, user_id, email_id, email_created_at, status, raised_at, delivery)
            VALUES (\(account), \(user), \(email), timestamptz 'epoch' + \(createdMilliseconds) * interval '1 millisecond',
                    \(Int16(EmailStatus.failed.code)), now(), 'screen')
            RETURNING id
            """).first?.decode(Int64.self))
    }

    @Test func aNotificationOrPreferenceChangedElsewhereMovesTheTokenAndSendsANotice() throws {
        try TestServer.withFreshDatabase { location in
            let screenConnection = try TestServer.connect(location)
            defer { screenConnection.close() }
            try PostgresSchema.migrate(screenConnection, timeZone: TimeZone(identifier: "Europe/London")!)
            try PostgresPartitions.createCurrentAndNext(now: utc(2026, 12, 4, 12), in: screenConnection)
            let screen = try PostgresAuditStore(connection: screenConnection)
            let writerConnection = try TestServer.connect(location)
            defer { writerConnection.close() }
            let writer = try PostgresAuditStore(connection: writerConnection)
            let listenerConnection = try TestServer.connect(location)
            defer { listenerConnection.close() }
            let notices = NoticeCounter()
            listenerConnection.listen(to: PostgresChangeWatch.channel, onNotification: { notices.add() }, onClose: {})
            _ = try screen.changeToken()
            // The listener (and the screen) listen once a notice sent on the channel arrives.
            var ready = false
            for _ in 0..<20 where !ready {
                try writerConnection.execute("SELECT pg_notify(\(PostgresChangeWatch.channel), '')")
                ready = notices.waitForMore(than: 0)
            }
            try #require(ready)
            let (account, user, email, created) = try prepare(writer)

            /// `write` on the writer's connection moves the screen's token and reaches the listener.
            func expectNoticed(_ change: String, _ write: () throws -> Void) throws {
                Thread.sleep(forTimeInterval: 0.05)  // earlier notices delivered
                let token = try screen.changeToken()
                let heard = notices.count
                try write()
                let moved = try changed(from: token) { try screen.changeToken() }
                #expect(moved.map { $0 > token && $0 % 2 == 0 } == true, "\(change): the screen's change token moves")
                #expect(notices.waitForMore(than: heard), "\(change): a listening connection is told")
            }
            var notificationID: Int64 = 0
            try expectNoticed("a notification raised") {
                notificationID = try insertNotification(on: writerConnection, account: account, user: user, email: email,
                                                        createdMilliseconds: created)
            }
            try expectNoticed("a notification read") {
                let marked = try writer.markNotificationsRead(accountID: account, userID: user, ids: [notificationID], at: utc(2026, 12, 4, 10))
                #expect(marked == 1)
            }
            try expectNoticed("a preference saved") {
                try writer.setNotificationPreferences(userID: user, NotificationPreferences(statuses: [.failed], scope: .account,
                                                                                            delivery: .digest, digestHour: 7))
            }
            try expectNoticed("a notification deleted") {
                let deleted = try writerConnection.execute("DELETE FROM notifications WHERE account_id = \(account) AND id = \(notificationID)")
                #expect(deleted == 1)
            }
            try expectNoticed("a preference deleted") {
                let deleted = try writerConnection.execute("DELETE FROM notification_preferences WHERE user_id = \(user)")
                #expect(deleted == 1)
            }
        }
    }

    @Test func aStoreAtVersion6GainsTheNotificationTriggersWhenUpgraded() throws {
        try TestServer.withFreshDatabase { location in
            let db = try TestServer.connect(location)
            defer { db.close() }
            #expect(try PostgresSchema.migrate(db, timeZone: TimeZone(identifier: "Europe/London")!, upTo: 6) == 0)
            try PostgresPartitions.createCurrentAndNext(now: utc(2026, 12, 4, 12), in: db)
            let store = try PostgresAuditStore(connection: db)
            let (account, user, email, created) = try prepare(store)
            func token() throws -> Int64 { try PostgresChangeToken.read(on: db) }

            // Version 6: a notification raised changes nothing a screen watches.
            var before = try token()
            let first = try insertNotification(on: db, account: account, user: user, email: email, createdMilliseconds: created)
            #expect(try token() == before)
            try store.setNotificationPreferences(userID: user, .standard)
            #expect(try token() == before)

            #expect(try PostgresSchema.migrate(db, timeZone: TimeZone(identifier: "Europe/London")!) == 6)
            #expect(try PostgresSchema.inspect(db) == .ours(version: PostgresSchema.version))
            let triggers = try db.rows("""
                SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgname LIKE 'notification%' ORDER BY 1
                """).map { try $0.decode(String.self) }
            #expect(triggers == ["notification_preferences_changed", "notifications_changed"])
            before = try token()
            #expect(try store.markNotificationsRead(accountID: account, userID: user, ids: [first], at: utc(2026, 12, 4, 10)) == 1)
            let afterRead = try token()
            #expect(afterRead > before)
            try store.setNotificationPreferences(userID: user, .standard)
            #expect(try token() > afterRead)
        }
    }
}
