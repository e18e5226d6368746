import AuditCore
import Foundation
import PostgresNIO
import Testing
@testable import AuditStorePostgres

/// LISTEN/NOTIFY for the change token (schema version 5, ``PostgresChangeWatch``): an idle screen
/// reads nothing from the server; another machine's write reaches it when it commits.
@Suite("PostgreSQL change notices", .enabled(if: TestServer.isConfigured,
                                             "needs a server: set EMAIL_AUDIT_TEST_POSTGRES_URL (scripts/pg_throwaway.sh start prints one)"))
struct PostgresChangeWatchTests {
    /// Calls `token` until it differs from `old`, for at most two seconds; the new token and how long it took.
    func changed(from old: Int64, _ token: () throws -> Int64) throws -> (token: Int64, seconds: Double)? {
        let start = Date()
        while Date().timeIntervalSince(start) < 2 {
            let now = try token()
            if now != old { return (now, Date().timeIntervalSince(start)) }
            Thread.sleep(forTimeInterval: 0.005)
        }
        return nil
    }

    @Test func anIdleStoreReadsNothingAndAnotherConnectionsWriteArrivesWhenItCommits() throws {
        try TestServer.withFreshDatabase { location in
            let screenConnection = try TestServer.connect(location)
            defer { screenConnection.close() }
            try PostgresSchema.migrate(screenConnection, timeZone: TimeZone(identifier: "Europe/London")!)
            let screen = try PostgresAuditStore(connection: screenConnection)
            let writerConnection = try TestServer.connect(location)
            defer { writerConnection.close() }
            let writer = try PostgresAuditStore(connection: writerConnection)
            let account = try writer.insertAccount(name: "Harbour Lets")
            let staff = try writer.insertStaff(accountID: account.id, name: "Priya Shah", role: .staff)

            let first = try screen.changeToken()
            #expect(screen.changeWatch.serverReads == 1)
            // Idle: forty ticks, no round trip.
            for _ in 0..<40 { #expect(try screen.changeToken() == first) }
            #expect(screen.changeWatch.serverReads == 1)

            // A write on the other connection: nothing while its transaction runs (the polled
            // token shows it as odd), the new token once it commits.
            try writerConnection.transaction { db in
                try db.execute("UPDATE emails SET subject = subject WHERE false")
                #expect(try PostgresChangeToken.read(on: screenConnection) % 2 == 1)
                Thread.sleep(forTimeInterval: 0.1)
                #expect(try screen.changeToken() == first)
            }
            let committed = try #require(try changed(from: first) { try screen.changeToken() })
            #expect(committed.token % 2 == 0 && committed.token > first)
            #expect(committed.seconds < 1)
            let reads = screen.changeWatch.serverReads
            for _ in 0..<40 { #expect(try screen.changeToken() == committed.token) }
            #expect(screen.changeWatch.serverReads == reads)

            // Recording an email on the other connection is seen the same way.
            _ = try writer.record([NewEmail(accountID: account.id, raisedByID: staff.id, activity: .receiptRecorded, to: "alice@example.net",
                                            from: "lettings@harbour.example", subject: "Receipt", textBody: "Thanks",
                                            createdAt: utc(2026, 12, 4, 9))])
            let recorded = try #require(try changed(from: committed.token) { try screen.changeToken() })
            #expect(recorded.token > committed.token)
            // A table screens do not show sends nothing.
            _ = try writer.insertAccount(name: "Aldgate Estates")
            Thread.sleep(forTimeInterval: 0.2)
            #expect(try screen.changeToken() == recorded.token)
        }
    }

    @Test func aStoreAtVersion4GainsTheNoticesWhenUpgraded() throws {
        try TestServer.withFreshDatabase { location in
            let db = try TestServer.connect(location)
            defer { db.close() }
            #expect(try PostgresSchema.migrate(db, timeZone: TimeZone(identifier: "Europe/London")!, upTo: 4) == 0)
            func sendsNotices() throws -> Bool {
                try db.rows("SELECT prosrc FROM pg_proc WHERE proname = 'email_audit_changed'").first?.decode(String.self)
                    .contains("pg_notify") ?? false
            }
            #expect(try !sendsNotices())
            #expect(try PostgresSchema.migrate(db, timeZone: TimeZone(identifier: "Europe/London")!) == 4)
            #expect(try sendsNotices())
        }
    }
}
