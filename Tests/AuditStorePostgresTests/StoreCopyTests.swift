import AuditCore
import AuditStore
import Demo
import Foundation
import GRDB
import NIOCore
import PostgresNIO
import Testing
@testable import AuditStorePostgres

/// A seeded SQLite store for the copy tests: the demo (three agencies, events, notifications,
/// preferences), plus rows the demo does not make, so that every copied table holds rows:
/// an email with a host id and a plain-text body, an event whose raw JSON is stored as TEXT,
/// a System staff record, a resend with its contact change, a suppression with its trail, a
/// notification, a digest and a webhook token.
final class SeededSQLiteStore {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("email-audit-copy-tests-\(UUID().uuidString)")
    let path: String
    let store: AuditDatabase

    init(seed: UInt64 = 3, emails: Int = 300) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        path = folder.appendingPathComponent("audit.sqlite").path
        let zone = TimeZone(identifier: "Europe/London")!
        let writer = try AuditDatabase(path: path, timeZone: zone)
        // Across the clock change of 29/03/2026: months and days on both sides of it.
        _ = try DemoSeeder.seed(writer, options: SeedOptions(emails: emails, days: 12, seed: seed, now: utc(2026, 4, 3, 12)))
        try Self.addRowsTheDemoLacks(path: path, writer: writer)
        store = try AuditDatabase(path: path, timeZone: zone, access: .readOnly)
    }

    deinit { try? FileManager.default.removeItem(at: folder) }

    static func addRowsTheDemoLacks(path: String, writer: AuditDatabase) throws {
        let queue = try DatabaseQueue(path: path)
        let (account, staff, sender) = try queue.read { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT e.account_id, e.raised_by_id, s.address FROM emails e JOIN senders s ON s.id = e.sender_id ORDER BY e.id LIMIT 1
                """)!
            return (row[0] as Int64, row[1] as Int64, row[2] as String)
        }
        try queue.close()
        _ = try writer.record([NewEmail(accountID: account, raisedByID: staff, activity: Activity.allCases.first!, to: "host@example.com",
                                        cc: ["cc@example.com"], from: sender, subject: "From the host", textBody: "Hi",
                                        attachmentNames: ["a.pdf"], createdAt: utc(2026, 3, 29, 0, 30), hostID: "host-1")])
        _ = try writer.bindWebhookTokens([WebhookTokenUse(token: "token-1", bodyDigest: "ab12", receivedAt: utc(2026, 4, 1, 9))])

        let db = try DatabaseQueue(path: path)
        defer { try? db.close() }
        try db.write { db in
            let ids = try Int64.fetchAll(db, sql: "SELECT id FROM emails WHERE account_id = ? ORDER BY id LIMIT 2", arguments: [account])
            let (original, resend) = (ids[0], ids[1])
            let user = try Int64.fetchOne(db, sql: "SELECT id FROM users WHERE account_id = ? ORDER BY id", arguments: [account])!
            let contact = try Int64.fetchOne(db, sql: "SELECT id FROM contacts WHERE account_id = ? ORDER BY id", arguments: [account])!
            let at: Int64 = 1_775_000_000_123
            if try Int.fetchOne(db, sql: "SELECT count(*) FROM staff WHERE is_external = 2 AND account_id = ?", arguments: [account]) == 0 {
                try db.execute(sql: "INSERT INTO staff (account_id, name, role, is_external) VALUES (?, 'System', 'staff', 2)", arguments: [account])
            }
            try db.execute(sql: """
                INSERT INTO events (email_id, event_key, provider_event_id, kind, occurred_at, delayed_bounce, raw_json, key_hash)
                VALUES (?, 'text-key', 'text-event', 'accepted', 1775000000123456, 0, '{"event": "accepted", "id": "text-event"}', 42)
                """, arguments: [original])
            if try Int.fetchOne(db, sql: "SELECT count(*) FROM email_resends") == 0 {
                try db.execute(sql: """
                    INSERT INTO email_resends (resend_id, account_id, original_id, at, user_id, user_name, original_to, to_address, contacts_updated)
                    VALUES (?, ?, ?, ?, ?, 'Tester', 'old@example.com', 'new@example.com', 1)
                    """, arguments: [resend, account, original, at, user])
            }
            if try Int.fetchOne(db, sql: "SELECT count(*) FROM contact_changes") == 0 {
                try db.execute(sql: """
                    INSERT INTO contact_changes (account_id, contact_id, at, old_email, new_email, user_id, user_name, resend_id)
                    VALUES (?, ?, ?, 'old@example.com', 'new@example.com', ?, 'Tester', ?)
                    """, arguments: [account, contact, at, user, resend])
            }
            if try Int.fetchOne(db, sql: "SELECT count(*) FROM account_suppressions") == 0 {
                try db.execute(sql: """
                    INSERT INTO account_suppressions (account_id, address, kind, created_at, reason, email_id, lifted_at, lifted_by, lift_reason)
                    VALUES (?, 'gone@example.com', 'bounce', ?, 'mailbox unavailable', ?, ?, ?, 'moved')
                    """, arguments: [account, at, original, at + 1000, user])
            }
            if try Int.fetchOne(db, sql: "SELECT count(*) FROM suppression_history") == 0 {
                try db.execute(sql: """
                    INSERT INTO suppression_history (account_id, address, at, action, user_id, user_name, note)
                    VALUES (?, 'gone@example.com', ?, 'added', NULL, 'Mailgun', 'mailbox unavailable')
                    """, arguments: [account, at])
            }
            if try Int.fetchOne(db, sql: "SELECT count(*) FROM notifications") == 0 {
                try db.execute(sql: """
                    INSERT INTO notifications (account_id, user_id, email_id, status, raised_at, read_at, delivery, notice_email_id, digest_day)
                    VALUES (?, ?, ?, 6, ?, ?, 'email', ?, NULL)
                    """, arguments: [account, user, original, at, at + 5, resend])
            }
            if try Int.fetchOne(db, sql: "SELECT count(*) FROM notification_digests") == 0 {
                try db.execute(sql: """
                    INSERT INTO notification_digests (account_id, user_id, day, email_id, notifications, sent_at)
                    VALUES (?, ?, 20543, ?, 3, ?)
                    """, arguments: [account, user, resend, at])
            }
            if try Int.fetchOne(db, sql: "SELECT count(*) FROM notification_preferences") == 0 {
                try db.execute(sql: """
                    INSERT INTO notification_preferences (user_id, statuses, scope, delivery, digest_hour) VALUES (?, 'failed', 'account', 'digest', 8)
                    """, arguments: [user])
            }
        }
    }
}

@Suite("Moving in: copying a SQLite store into PostgreSQL",
       .enabled(if: TestServer.isConfigured,
                "needs a server: set EMAIL_AUDIT_TEST_POSTGRES_URL (scripts/pg_throwaway.sh start prints one; make unit does it)"))
struct StoreCopyTests {
    /// Every copied table's rows as read back from PostgreSQL, converted to the SQLite store's
    /// forms (times as integers, JSON canonical), as a multiset.
    static func destinationRows(_ table: StoreCopyTable, _ db: BlockingPostgresConnection) throws -> [[StoreCopyValue]: Int] {
        let columns = table.columns.map { column -> String in
            switch column.kind {
            case .integer: "\(column.name)::bigint"
            case .text, .json: "\(column.name)::text"
            case .milliseconds: "(extract(epoch FROM \(column.name)) * 1000)::bigint"
            case .microseconds: "(extract(epoch FROM \(column.name)) * 1000000)::bigint"
            case .flag: "\(column.name)::int::bigint"
            case .bytes: column.name
            }
        }
        var rows: [[StoreCopyValue]: Int] = [:]
        for row in try db.rows(PostgresQuery(unsafeSQL: "SELECT \(columns.joined(separator: ", ")) FROM \(table.name)")) {
            let cells = row.makeRandomAccess()
            var values: [StoreCopyValue] = []
            for (index, column) in table.columns.enumerated() {
                switch column.kind {
                case .integer, .milliseconds, .microseconds, .flag:
                    values.append(try cells[index].decode(Int64?.self).map { .integer($0) } ?? .null)
                case .text:
                    values.append(try cells[index].decode(String?.self).map { .text($0) } ?? .null)
                case .json:
                    values.append(try cells[index].decode(String?.self).map { .text(canonicalJSON($0)) } ?? .null)
                case .bytes:
                    values.append(try cells[index].decode(ByteBuffer?.self).map { .bytes(Array($0.readableBytesView)) } ?? .null)
                }
            }
            rows[values, default: 0] += 1
        }
        return rows
    }

    /// Every row of `table` in the source, as the copy reads it (JSON canonical), as a multiset.
    static func sourceRows(_ table: StoreCopyTable, _ source: StoreCopySource) throws -> [[StoreCopyValue]: Int] {
        var rows: [[StoreCopyValue]: Int] = [:]
        for row in try source.chunk(of: table, after: nil, limit: 1_000_000) {
            let values = zip(table.columns, row.values).map { column, value -> StoreCopyValue in
                if column.kind == .json, case .text(let text) = value { return .text(canonicalJSON(text)) }
                return value
            }
            rows[values, default: 0] += 1
        }
        return rows
    }

    static func canonicalJSON(_ text: String) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]),
              let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .fragmentsAllowed]) else {
            return "unparsable: " + text
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Every table equal field by field, raw events byte for byte, and all counts matching.
    static func expectSameData(_ seeded: SeededSQLiteStore, _ db: BlockingPostgresConnection) throws {
        let source = StoreCopySource(store: seeded.store)
        for table in StoreCopySource.tables {
            let expected = try sourceRows(table, source)
            #expect(!expected.isEmpty, "the seeded store has no \(table.name)")
            let found = try destinationRows(table, db)
            #expect(found == expected, "\(table.name) differs")
        }
        let checks = try PostgresStoreCopy.check(source, against: db)
        let differing = checks.filter { !$0.matches }
        #expect(differing.isEmpty, "\(differing)")
        #expect(checks.contains { $0.what == "emails Delivered" })

        // Raw events byte for byte, read from the SQLite file directly.
        let queue = try DatabaseQueue(path: seeded.path, configuration: { var c = Configuration(); c.readonly = true; return c }())
        defer { try? queue.close() }
        let raw: [Int64: [UInt8]] = try queue.read { db in
            var raw: [Int64: [UInt8]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT id, raw_json FROM events") {
                let value: DatabaseValue = row[1]
                switch value.storage {
                case .blob(let data): raw[row[0]] = Array(data)
                case .string(let text): raw[row[0]] = Array(text.utf8)
                default: Issue.record("event \(row[0] as Int64) has raw JSON of another type")
                }
            }
            return raw
        }
        var copied: [Int64: [UInt8]] = [:]
        for row in try db.rows("SELECT id, raw_json FROM events") {
            let (id, bytes) = try row.decode((Int64, ByteBuffer).self)
            copied[id] = Array(bytes.readableBytesView)
        }
        #expect(copied == raw)
        #expect(copied.values.contains { $0.first == UInt8(ascii: "{") }, "no event held JSON text")

        // Emails read through both stores' own readers: the same answers.
        let store = try PostgresAuditStore(connection: db)
        let emails = try queue.read { db in try Row.fetchAll(db, sql: "SELECT id, account_id FROM emails WHERE id % 5 = 0 OR host_id IS NOT NULL") }
        #expect(emails.count > 10)
        for row in emails {
            let (id, account): (Int64, Int64) = (row[0], row[1])
            let expected = try seeded.store.recordedEmail(id: id, inAccount: account)
            #expect(expected != nil)
            let found = try store.recordedEmail(id: id, inAccount: account).map(Self.toTheMicrosecond)
            #expect(found == expected.map(Self.toTheMicrosecond), "email \(id): \(Self.differences(found, expected))")
        }
    }

    /// The email with its times rounded to the microsecond: both stores hold them exactly, but
    /// each builds its `Date` (a Double) by another route, which may differ in the last bits.
    static func toTheMicrosecond(_ email: Email) -> Email {
        func round(_ date: Date) -> Date { Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1_000_000).rounded() / 1_000_000) }
        var email = email
        email.createdAt = round(email.createdAt)
        email.lastEventAt = email.lastEventAt.map(round)
        if var detail = email.statusDetail {
            detail.occurredAt = detail.occurredAt.map(round)
            email.statusDetail = detail
        }
        return email
    }

    /// The fields in which two values differ, with both values.
    static func differences<T>(_ found: T?, _ expected: T?) -> String {
        guard let found, let expected else { return "found \(String(describing: found)), expected \(String(describing: expected))" }
        let pairs = zip(Mirror(reflecting: found).children, Mirror(reflecting: expected).children)
        return pairs.filter { String(describing: $0.0.value) != String(describing: $0.1.value) }
            .map { "\($0.0.label ?? "?"): \($0.0.value) vs \($0.1.value)" }.joined(separator: "; ")
    }

    @Test func copiesEveryTableFieldByFieldAndTwiceIsANoOp() throws {
        let seeded = try SeededSQLiteStore()
        let source = StoreCopySource(store: seeded.store)
        try TestServer.withFreshDatabase { location in
            let db = try TestServer.connect(location)
            defer { db.close() }
            var reports: [StoreCopyProgress] = []
            let copied = try PostgresStoreCopy.copy(from: source, to: db, chunkRows: 97) { reports.append($0) }
            #expect(copied == (try source.totalRows()))
            #expect(reports.last?.rowsCopied == copied && reports.last?.totalRows == copied)
            try Self.expectSameData(seeded, db)
            // Partitions were made for each month of the emails (March and April 2026 at least).
            let months = try PostgresPartitions.months(of: "emails", in: db).map(\.name)
            #expect(months.contains("emails_y2026m03") && months.contains("emails_y2026m04"))
            // The copy leaves the planner statistics of what it copied (accounts, a table
            // autovacuum would never analyse at a few rows, and every month of emails).
            let unanalysed = try db.rows("""
                SELECT relname FROM pg_stat_user_tables
                WHERE (relname IN ('accounts', 'email_keys') OR relname LIKE 'emails_y%') AND last_analyze IS NULL
                """).map { try $0.decode(String.self) }
            #expect(unanalysed.isEmpty, "\(unanalysed)")
            // System staff records kept their kind.
            let system = try DatabaseQueue(path: seeded.path).read { try Int64.fetchOne($0, sql: "SELECT count(*) FROM staff WHERE is_external = 2") }
            #expect((system ?? 0) >= 1)
            #expect(try db.rows("SELECT count(*) FROM staff WHERE is_system").first?.decode(Int64.self) == system)

            // A second run copies nothing and leaves everything as it was.
            #expect(try PostgresStoreCopy.copy(from: source, to: db) == 0)
            try Self.expectSameData(seeded, db)

            // New rows get ids past the copied ones.
            let store = try PostgresAuditStore(connection: db)
            let maxAccount = try db.rows("SELECT max(id) FROM accounts").first!.decode(Int64.self)
            #expect(try store.insertAccount(name: "Newcomer").id == maxAccount + 1)
        }
    }

    @Test func anInterruptedCopyContinuesWithoutDuplicates() throws {
        let seeded = try SeededSQLiteStore()
        let source = StoreCopySource(store: seeded.store)
        try TestServer.withFreshDatabase { location in
            var stops = 0
            // Each run stops after a few chunks, on a new connection each time, as after a kill.
            while true {
                let db = try TestServer.connect(location)
                defer { db.close() }
                do {
                    try PostgresStoreCopy.copy(from: source, to: db, chunkRows: 150, stopAfterChunks: 4)
                    break
                } catch StoreCopyError.stoppedAfterChunks(let chunks) {
                    #expect(chunks == 4)
                    stops += 1
                    #expect(stops < 200)
                    if stops >= 200 { return }
                }
            }
            #expect(stops > 3)
            let db = try TestServer.connect(location)
            defer { db.close() }
            try Self.expectSameData(seeded, db)
        }
    }

    @Test func refusesAnotherSourceAndADatabaseWithOtherData() throws {
        let first = try SeededSQLiteStore(seed: 3, emails: 60)
        let second = try SeededSQLiteStore(seed: 4, emails: 60)
        try TestServer.withFreshDatabase { location in
            let db = try TestServer.connect(location)
            defer { db.close() }
            #expect(throws: StoreCopyError.stoppedAfterChunks(2)) {
                try PostgresStoreCopy.copy(from: StoreCopySource(store: first.store), to: db, chunkRows: 50, stopAfterChunks: 2)
            }
            let before = try db.rows("SELECT count(*) FROM emails").first!.decode(Int64.self)
            #expect(throws: StoreCopyError.differentSource(location: location.description)) {
                try PostgresStoreCopy.copy(from: StoreCopySource(store: second.store), to: db)
            }
            #expect(try db.rows("SELECT count(*) FROM emails").first!.decode(Int64.self) == before)
        }
        try TestServer.withFreshDatabase { location in
            let db = try TestServer.connect(location)
            defer { db.close() }
            try PostgresSchema.migrate(db, timeZone: TimeZone(identifier: "Europe/London")!)
            _ = try PostgresAuditStore(connection: db).insertAccount(name: "Already here")
            #expect(throws: StoreCopyError.holdsOtherData(location: location.description)) {
                try PostgresStoreCopy.copy(from: StoreCopySource(store: first.store), to: db)
            }
        }
        try TestServer.withFreshDatabase { location in
            let db = try TestServer.connect(location)
            defer { db.close() }
            try PostgresSchema.migrate(db, timeZone: TimeZone(identifier: "America/New_York")!)
            #expect(throws: StoreCopyError.differentTimeZone(location: location.description, destination: "America/New_York",
                                                             source: "Europe/London")) {
                try PostgresStoreCopy.copy(from: StoreCopySource(store: first.store), to: db)
            }
        }
    }
}
