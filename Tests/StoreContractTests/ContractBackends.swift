import AuditCore
import Foundation
import GRDB
import PostgresNIO
import Testing
@testable import AuditStore
@testable import AuditStorePostgres

/// The backends the contract suite runs against.
enum Backend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres

    var testDescription: String { rawValue }

    static let serverVariable = "EMAIL_AUDIT_TEST_POSTGRES_URL"
    static let serverURL: String? = ProcessInfo.processInfo.environment[serverVariable].flatMap { $0.isEmpty ? nil : $0 }

    /// SQLite always; PostgreSQL when a test server is configured (else its case is recorded
    /// as skipped by ``PostgresContractServerTests``, and fails under CI=true).
    static let available: [Backend] = serverURL == nil ? [.sqlite] : [.sqlite, .postgres]
}

/// The PostgreSQL case is not optional in CI, and is reported as skipped without a server.
@Suite("Store contract: PostgreSQL server")
struct PostgresContractServerTests {
    @Test func ciSetsTheServerURL() {
        let ci = ProcessInfo.processInfo.environment["CI"] == "true"
        #expect(!ci || Backend.serverURL != nil,
                "CI=true but \(Backend.serverVariable) is unset: the PostgreSQL backend of the store contract was not tested")
    }

    @Test("PostgreSQL backend of the store contract",
          .enabled(if: Backend.serverURL != nil, "needs a server: set EMAIL_AUDIT_TEST_POSTGRES_URL (scripts/pg_throwaway.sh with swift test ...)"))
    func postgresCasesRan() {
        #expect(Backend.available.contains(.postgres))
    }
}

/// A store of one backend behind the contract, with probes the contract itself does not offer
/// (counts and roll-ups as stored, the partition an email landed in), read with each
/// backend's own SQL.
final class ContractStore {
    let backend: Backend
    let store: any PortfolioStore & EmailRecordingStore & EventIngestStore & HandOverQueueStore & SuppressionChangeStore & ResendStore
    private let sqlite: AuditDatabase?
    private let postgres: BlockingPostgresConnection?
    private let postgresStore: PostgresAuditStore?
    /// Where the PostgreSQL database is, for a second connection to it.
    let postgresLocation: PostgresLocation?

    init(sqlite: AuditDatabase) {
        backend = .sqlite
        store = sqlite
        self.sqlite = sqlite
        postgres = nil
        postgresStore = nil
        postgresLocation = nil
    }

    init(postgres: PostgresAuditStore) {
        backend = .postgres
        store = postgres
        sqlite = nil
        self.postgres = postgres.connection
        postgresStore = postgres
        postgresLocation = postgres.connection.location
    }

    /// The PostgreSQL store (nil on SQLite), to set its planning switches.
    var postgresAuditStore: PostgresAuditStore? { postgresStore }
    /// The PostgreSQL store's connection (nil on SQLite).
    var postgresConnection: BlockingPostgresConnection? { postgres }

    /// The backend's reader for `user` in `accountID` (`AccountScopedReader` or `PostgresAuditReader`).
    func reader(for user: AppUser, accountID: Int64) throws -> any AuditReader {
        if let sqlite { return try sqlite.reader(for: user, accountID: accountID) }
        return try postgresStore!.reader(for: user, accountID: accountID)
    }

    /// Every user who may sign in (each staff member's sign-in user among them).
    func users() throws -> [AppUser] {
        try sqlite?.users() ?? postgresStore!.users()
    }

    /// The sign-in user of a staff member.
    func user(ofStaff staff: StaffUser) throws -> AppUser {
        try #require(try users().first { $0.staffID == staff.id })
    }

    /// Records a hand-over run's outcome as the feeder does.
    func recordHandOverOutcome(answered: Bool, at time: Date) throws {
        if let sqlite { return try sqlite.recordHandOverOutcome(answered: answered, at: time) }
        try postgresStore!.recordHandOverOutcome(answered: answered, at: time)
    }

    /// The raw provider JSON of an email's events through the backend's reader, oldest first.
    func rawEventTexts(_ reader: any AuditReader, emailID: Int64) throws -> [String] {
        if let reader = reader as? AccountScopedReader { return try reader.rawEvents(emailID: emailID) }
        return try (reader as! PostgresAuditReader).rawEvents(emailID: emailID)
    }

    /// Runs `body` with a writer on another connection (PostgreSQL) or the same store (SQLite,
    /// whose reads see a snapshot of their own).
    func withSecondWriter<T>(_ body: (any PortfolioStore & EmailRecordingStore & EventIngestStore) throws -> T) throws -> T {
        if sqlite != nil { return try body(store) }
        return try withSecondPostgresStore { try body($0) }
    }

    /// A second store on another connection to the same PostgreSQL database (closed by `body`'s end).
    func withSecondPostgresStore<T>(_ body: (PostgresAuditStore) throws -> T) throws -> T {
        let location = postgresLocation!
        let connection = try BlockingPostgresConnection.connect(to: location, password: try PostgresPassword.resolve(for: location).password)
        defer { connection.close() }
        return try body(try PostgresAuditStore(connection: connection))
    }

    /// The email's stored events as (key, kind, occurred at in microseconds), by time then storage order.
    func events(emailID: Int64) throws -> [StoredEventRow] {
        if let sqlite {
            return try sqlite.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT event_key, provider_event_id, kind, occurred_at FROM events WHERE email_id = ? ORDER BY occurred_at, id
                    """, arguments: [emailID]).map { row in
                    StoredEventRow(key: StoredEventCoding.key(stored: row[0], providerEventID: row[1], kind: row[2]),
                                   kind: row[2], occurredAtMicroseconds: row[3])
                }
            }
        }
        return try postgres!.rows("""
            SELECT event_key, provider_event_id, kind, (extract(epoch FROM occurred_at) * 1000000)::bigint
            FROM events WHERE email_id = \(emailID) ORDER BY occurred_at, id
            """).map { row in
            let (stored, id, kind, at) = try row.decode((String, String, String, Int64).self)
            return StoredEventRow(key: StoredEventCoding.key(stored: stored, providerEventID: id, kind: kind), kind: kind,
                                  occurredAtMicroseconds: at)
        }
    }

    /// The email's `events.raw_json` bytes in storage order (SQLite: a text value as its UTF-8).
    func rawEvents(emailID: Int64) throws -> [[UInt8]] {
        if let sqlite {
            return try sqlite.read { db in
                try Row.fetchAll(db, sql: "SELECT raw_json FROM events WHERE email_id = ? ORDER BY id", arguments: [emailID]).map { row in
                    let value: DatabaseValue = row[0]
                    switch value.storage {
                    case .string(let text): return Array(text.utf8)
                    case .blob(let data): return Array(data)
                    default: return []
                    }
                }
            }
        }
        return try postgres!.rows("SELECT raw_json FROM events WHERE email_id = \(emailID) ORDER BY id").map { row in
            Array(try row.decode(Data.self))
        }
    }

    /// Roll-up counts of the account by status code, summed over periods and raisers, for each of
    /// the daily, monthly and yearly tables (zero counts left out).
    func statusCounts(accountID: Int64) throws -> [[Int: Int]] {
        try ["rollups", "rollups_monthly", "rollups_yearly"].map { table in
            var counts: [Int: Int] = [:]
            if let sqlite {
                let rows = try sqlite.read { db in
                    try Row.fetchAll(db, sql: "SELECT status, sum(count) FROM \(table) WHERE account_id = ? GROUP BY 1",
                                     arguments: [accountID])
                }
                for row in rows { counts[row[0]] = row[1] }
            } else {
                let rows = try postgres!.rows(PostgresQuery(unsafeSQL: """
                    SELECT status, sum(count)::bigint FROM \(table) WHERE account_id = \(accountID) GROUP BY 1
                    """))
                for row in rows {
                    let (status, count) = try row.decode((Int16, Int64).self)
                    counts[Int(status)] = Int(count)
                }
            }
            return counts.filter { $0.value != 0 }
        }
    }

    /// The account's active suppressions: address → kind.
    func activeSuppressions(accountID: Int64) throws -> [String: String] {
        if let sqlite {
            return try sqlite.read { db in
                Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: """
                    SELECT address, kind FROM account_suppressions WHERE account_id = ? AND lifted_at IS NULL
                    """, arguments: [accountID]).map { ($0[0] as String, $0[1] as String) })
            }
        }
        return Dictionary(uniqueKeysWithValues: try postgres!.rows("""
            SELECT address, kind FROM account_suppressions WHERE account_id = \(accountID) AND lifted_at IS NULL
            """).map { try $0.decode((String, String).self) })
    }

    /// Rows of `table` (emails, email_units, contacts, contact_units, units, blocks, senders, staff).
    func count(_ table: String) throws -> Int {
        if let sqlite {
            return try sqlite.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)")! }
        }
        return Int(try postgres!.rows(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(table)")).first!.decode(Int64.self))
    }

    /// The daily roll-ups summed over accounts, raisers and statuses: day ordinal → count.
    func dailyCounts(accountID: Int64) throws -> [Int: Int] {
        try periodCounts(table: "rollups", period: "day", accountID: accountID)
    }

    /// The monthly roll-ups: `year * 12 + month - 1` → count.
    func monthlyCounts(accountID: Int64) throws -> [Int: Int] {
        try periodCounts(table: "rollups_monthly", period: "month", accountID: accountID)
    }

    private func periodCounts(table: String, period: String, accountID: Int64) throws -> [Int: Int] {
        var counts: [Int: Int] = [:]
        if let sqlite {
            let rows = try sqlite.read { db in
                try Row.fetchAll(db, sql: "SELECT \(period), sum(count) FROM \(table) WHERE account_id = ? GROUP BY 1", arguments: [accountID])
            }
            for row in rows { counts[row[0]] = row[1] }
        } else {
            let rows = try postgres!.rows(PostgresQuery(unsafeSQL: """
                SELECT \(period), sum(count)::bigint FROM \(table) WHERE account_id = \(accountID) GROUP BY 1
                """))
            for row in rows {
                let (key, value) = try row.decode((Int32, Int64).self)
                counts[Int(key)] = Int(value)
            }
        }
        return counts.filter { $0.value != 0 }
    }

    /// The month partitions of `emails`, oldest first (PostgreSQL), nil for SQLite.
    func emailPartitions() throws -> [String]? {
        guard let postgres else { return nil }
        return try PostgresPartitions.months(of: "emails", in: postgres).map(\.name)
    }

    /// The partition of `emails` holding the email (PostgreSQL), nil for SQLite.
    func partition(ofEmail id: Int64) throws -> String? {
        guard let postgres else { return nil }
        return try postgres.rows("SELECT tableoid::regclass::text FROM emails WHERE id = \(id)").first?.decode(String.self)
    }
}

/// One stored event as the contract probes read it.
struct StoredEventRow: Equatable {
    var key: String
    var kind: String
    var occurredAtMicroseconds: Int64
}

/// Runs `body` with a new, empty store of `backend` in `timeZone` (PostgreSQL: a new database,
/// dropped afterwards, opened as the CLI will open it at `now`: this month's and next month's
/// partitions only).
func withStore<T>(_ backend: Backend, timeZone: String = "Europe/London", now: Date = utc(2026, 12, 4, 12),
                  _ body: (ContractStore) throws -> T) throws -> T {
    let opened = try EmptyStore(backend, timeZone: timeZone, now: now)
    defer { opened.remove() }
    return try body(opened.contract)
}

/// ``withStore(_:timeZone:now:_:)`` for a test that awaits (a provider on loopback).
func withAsyncStore<T>(_ backend: Backend, timeZone: String = "Europe/London", now: Date = utc(2026, 12, 4, 12),
                       _ body: (ContractStore) async throws -> T) async throws -> T {
    let opened = try EmptyStore(backend, timeZone: timeZone, now: now)
    defer { opened.remove() }
    return try await body(opened.contract)
}

/// A new, empty store of one backend and how to remove it (SQLite: a file in a new folder;
/// PostgreSQL: a new database on the test server).
private struct EmptyStore {
    let contract: ContractStore
    let remove: () -> Void

    init(_ backend: Backend, timeZone: String, now: Date) throws {
        let zone = TimeZone(identifier: timeZone)!
        switch backend {
        case .sqlite:
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pgcontract-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let database: AuditDatabase
            do {
                database = try AuditDatabase(path: folder.appendingPathComponent("audit.sqlite").path, timeZone: zone)
            } catch {
                try? FileManager.default.removeItem(at: folder)
                throw error
            }
            contract = ContractStore(sqlite: database)
            remove = {
                try? database.close()
                try? FileManager.default.removeItem(at: folder)
            }
        case .postgres:
            let admin = try PostgresLocation(url: Backend.serverURL!)
            let name = "email_audit_contract_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
            let server = try BlockingPostgresConnection.connect(to: admin, password: try PostgresPassword.resolve(for: admin).password)
            let drop = {
                _ = try? server.execute(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"))
                server.close()
            }
            do {
                try server.execute(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"))
            } catch {
                server.close()
                throw error
            }
            var location = admin
            location.database = name
            let connection: BlockingPostgresConnection
            do {
                connection = try BlockingPostgresConnection.connect(to: location, password: try PostgresPassword.resolve(for: location).password)
            } catch {
                drop()
                throw error
            }
            do {
                try PostgresSchema.migrate(connection, timeZone: zone)
                try PostgresPartitions.createCurrentAndNext(now: now, in: connection)
                contract = ContractStore(postgres: try PostgresAuditStore(connection: connection))
            } catch {
                connection.close()
                drop()
                throw error
            }
            remove = {
                connection.close()
                drop()
            }
        }
    }
}

/// UTC instants for the tests.
func utc(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0, _ minute: Int = 0, _ second: Int = 0, milliseconds: Int = 0) -> Date {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    let whole = calendar.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second))!
    return whole.addingTimeInterval(Double(milliseconds) / 1000)
}
