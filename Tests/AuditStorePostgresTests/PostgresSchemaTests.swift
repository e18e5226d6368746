import AuditCore
import Foundation
import PostgresNIO
import Testing
@testable import AuditStorePostgres

/// The PostgreSQL schema on a real server (EMAIL_AUDIT_TEST_POSTGRES_URL): creation, reopening,
/// refusals, month partitions across a clock change, and accounts kept apart.
@Suite("PostgreSQL schema", .enabled(if: TestServer.isConfigured,
                                     "needs a server: set EMAIL_AUDIT_TEST_POSTGRES_URL (scripts/pg_throwaway.sh start prints one; make unit does it)"))
struct PostgresSchemaTests {
    static let expectedTables: Set<String> = [
        "store_meta", "accounts", "staff", "blocks", "units", "contacts", "contact_units", "senders", "emails",
        "email_host_ids", "email_units", "events", "rollups", "rollups_monthly", "rollups_yearly", "recipients",
        "webhook_tokens", "users", "account_suppressions", "suppression_history", "notification_preferences",
        "notifications", "notification_digests", "email_resends", "contact_changes", "hand_over_outcomes", "hand_over_claims",
        "migration_progress", "email_keys", "email_statuses",
    ]
    /// The tables whose rows belong to no account.
    static let accountless: Set<String> = ["store_meta", "accounts", "users", "notification_preferences", "webhook_tokens",
                                           "hand_over_outcomes", "migration_progress"]

    func tables(_ db: BlockingPostgresConnection) throws -> Set<String> {
        Set(try db.rows("""
            SELECT relname FROM pg_class WHERE relnamespace = current_schema()::regnamespace
            AND relkind IN ('r', 'p') AND NOT relispartition
            """).map { try $0.decode(String.self) })
    }

    func meta(_ db: BlockingPostgresConnection, _ key: String) throws -> String? {
        try db.rows("SELECT value FROM store_meta WHERE key = \(key)").first?.decode(String.self)
    }

    @Test func migratesAnEmptyDatabaseToTheLatestVersion() throws {
        try TestServer.withFreshDatabase { location in
            let db = try TestServer.connect(location)
            defer { db.close() }
            #expect(try PostgresSchema.inspect(db) == .fresh)
            #expect(try PostgresSchema.migrate(db, timeZone: TimeZone(identifier: "Europe/London")!) == 0)
            #expect(PostgresSchema.version == 14)
            #expect(try PostgresSchema.inspect(db) == .ours(version: 14))
            #expect(try tables(db) == Self.expectedTables)
            #expect(try meta(db, "application") == "email-audit")
            #expect(try meta(db, "schema_version") == "14")
            #expect(try meta(db, "partition_time_zone") == "Europe/London")
            // emails and events are partitioned by range, with no partition until one is needed.
            let partitioned = try db.rows("""
                SELECT c.relname, pg_get_partkeydef(c.oid) FROM pg_class c
                WHERE c.relkind = 'p' AND c.relnamespace = current_schema()::regnamespace ORDER BY 1
                """).map { try $0.decode((String, String).self) }
            #expect(partitioned.map(\.0) == ["emails", "events"])
            #expect(partitioned.map(\.1) == ["RANGE (created_at)", "RANGE (email_created_at)"])
            #expect(try PostgresPartitions.months(of: "emails", in: db).isEmpty)
        }
    }

    @Test func accountLeadsEveryKeyThatCanCarryIt() throws {
        try TestServer.withMigratedStore { db in
            // Primary keys: account_id first wherever the row belongs to an account.
            let keys = try db.rows("""
                SELECT c.relname, a.attname FROM pg_index i
                JOIN pg_class c ON c.oid = i.indrelid
                JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[0]
                WHERE i.indisprimary AND c.relnamespace = current_schema()::regnamespace AND NOT c.relispartition
                """).map { try $0.decode((String, String).self) }
            #expect(Set(keys.map(\.0)) == Self.expectedTables)
            for (table, first) in keys where !Self.accountless.contains(table) {
                #expect(first == "account_id", "\(table)'s primary key starts with \(first)")
            }
            // Indexes of tables with an account: account_id first, but for the few that cannot
            // have it (the feeder's cross-account queue, lookups by provider message, trigram search).
            let indexes = try db.rows("""
                SELECT ic.relname, a.attname FROM pg_index i
                JOIN pg_class ic ON ic.oid = i.indexrelid
                JOIN pg_class c ON c.oid = i.indrelid
                JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[0]
                WHERE c.relnamespace = current_schema()::regnamespace AND NOT c.relispartition
                  AND EXISTS (SELECT 1 FROM pg_attribute x WHERE x.attrelid = c.oid AND x.attname = 'account_id')
                """).map { try $0.decode((String, String).self) }
            // The feeder queue's claims by claimant and by lease end are across accounts too.
            let exceptions: Set<String> = ["emails_pending", "emails_message_hash", "emails_subject_trigrams",
                                           "recipients_address_trigram", "users_pkey", "users_login_key",
                                           "hand_over_claims_claimant", "hand_over_claims_until"]
            #expect(indexes.count > 30)
            for (index, first) in indexes where !exceptions.contains(index) {
                #expect(first == "account_id", "\(index) starts with \(first)")
            }
        }
    }

    @Test func reopeningIsIdempotent() throws {
        try TestServer.withFreshDatabase { location in
            let first = try TestServer.connect(location)
            try PostgresSchema.migrate(first, timeZone: TimeZone(identifier: "Europe/London")!)
            try first.execute("INSERT INTO accounts (name) VALUES ('Harbour Lets')")
            first.close()

            let again = try TestServer.connect(location)
            defer { again.close() }
            // A second open finds the newest version, changes nothing and keeps the first zone.
            #expect(try PostgresSchema.migrate(again, timeZone: TimeZone(identifier: "Asia/Tokyo")!) == PostgresSchema.version)
            #expect(try PostgresSchema.inspect(again) == .ours(version: PostgresSchema.version))
            #expect(try meta(again, "partition_time_zone") == "Europe/London")
            #expect(try again.rows("SELECT count(*) FROM accounts").first?.decode(Int64.self) == 1)
            #expect(try tables(again) == Self.expectedTables)
        }
    }

    @Test func twoProcessesCreatingTheStoreAtOnceCreateItOnce() throws {
        try TestServer.withFreshDatabase { location in
            let results = ResultBox()
            DispatchQueue.concurrentPerform(iterations: 3) { _ in
                do {
                    let db = try TestServer.connect(location)
                    defer { db.close() }
                    results.add(.success(try PostgresSchema.migrate(db, timeZone: TimeZone(identifier: "Europe/London")!)))
                } catch {
                    results.add(.failure("\(error)"))
                }
            }
            // One created it (saw version 0); the others waited on the lock and found it created: at
            // the newest version, or part-way (each migration commits on its own, so one may come
            // between two and run the later ones). The store ends at the newest version.
            let newest = PostgresSchema.version
            let outcomes = results.values.sorted()
            #expect(outcomes.count == 3 && outcomes.first == .success(0), "\(outcomes)")
            #expect(outcomes.dropFirst().allSatisfy { (1...newest).map(ResultBox.Outcome.success).contains($0) }, "\(outcomes)")
            let db = try TestServer.connect(location)
            defer { db.close() }
            #expect(try PostgresSchema.inspect(db) == .ours(version: newest))
            #expect(try tables(db) == Self.expectedTables)
        }
    }

    /// The foreign keys from `events` to `emails` (on the parent and its clones), by name.
    func eventForeignKeys(_ db: BlockingPostgresConnection) throws -> [String] {
        try db.rows("""
            SELECT conname::text FROM pg_constraint
            WHERE conrelid = 'events'::regclass AND confrelid = 'emails'::regclass AND contype = 'f' ORDER BY 1
            """).map { try $0.decode(String.self) }
    }

    @Test func version6DropsTheEventsForeignKeyAndKeepsTheRows() throws {
        try TestServer.withFreshDatabase { location in
            let db = try TestServer.connect(location)
            defer { db.close() }
            #expect(try PostgresSchema.migrate(db, timeZone: TimeZone(identifier: "Europe/London")!, upTo: 5) == 0)
            // A version 5 store with an email of March 2026 and one event of it.
            try db.execute("SELECT email_audit_create_month_partitions(timestamptz '2026-03-01 00:00:00+00')")
            let account = try #require(try db.rows("INSERT INTO accounts (name) VALUES ('Harbour Lets') RETURNING id").first?.decode(Int64.self))
            let staff = try #require(try db.rows("""
                INSERT INTO staff (account_id, name, role) VALUES (\(account), 'Ann', 'Manager') RETURNING id
                """).first?.decode(Int64.self))
            let email = try #require(try db.rows("""
                INSERT INTO emails (account_id, created_at, raised_by_id, activity, to_address, subject, body, status)
                VALUES (\(account), timestamptz '2026-03-10 09:00:00+00', \(staff), 'receipt', 'a@b.example', 'S', '', 0) RETURNING id
                """).first?.decode(Int64.self))
            try db.execute("""
                INSERT INTO events (account_id, email_created_at, email_id, key_hash, event_key, provider_event_id, kind, occurred_at, raw_json)
                VALUES (\(account), timestamptz '2026-03-10 09:00:00+00', \(email), 1, 'k', 'p', 'delivered', now(), '\\x00')
                """)
            #expect(try !eventForeignKeys(db).isEmpty)
            #expect(try PostgresSchema.migrate(db, timeZone: TimeZone(identifier: "Europe/London")!) == 5)
            #expect(try PostgresSchema.inspect(db) == .ours(version: PostgresSchema.version))
            // Neither the parent's key nor its clones on the partitions are left; the rows are.
            #expect(try eventForeignKeys(db).isEmpty)
            #expect(try db.rows("SELECT count(*) FROM events WHERE email_id = \(email)").first?.decode(Int64.self) == 1)
            #expect(try db.rows("SELECT count(*) FROM emails").first?.decode(Int64.self) == 1)
        }
    }

    @Test func upgradesAVersion1StoreToVersion2() throws {
        try TestServer.withFreshDatabase { location in
            let db = try TestServer.connect(location)
            defer { db.close() }
            #expect(try PostgresSchema.migrate(db, timeZone: TimeZone(identifier: "Europe/London")!, upTo: 1) == 0)
            #expect(try PostgresSchema.inspect(db) == .ours(version: 1))
            #expect(try !tables(db).contains("hand_over_outcomes"))
            try db.execute("INSERT INTO accounts (name) VALUES ('Harbour Lets')")
            // Version 2 adds the hand-over outcomes and the change token (version 3 the feeder's
            // claims), keeping the rows.
            #expect(try PostgresSchema.migrate(db, timeZone: TimeZone(identifier: "Asia/Tokyo")!) == 1)
            #expect(try PostgresSchema.inspect(db) == .ours(version: PostgresSchema.version))
            #expect(try tables(db) == Self.expectedTables)
            #expect(try db.rows("SELECT count(*) FROM accounts").first?.decode(Int64.self) == 1)
            let store = try PostgresAuditStore(connection: db)
            let before = try store.changeToken()
            try db.execute("UPDATE emails SET subject = subject WHERE false")
            // The change notice comes after the commit, on the connection's event loop.
            let start = Date()
            var after = try store.changeToken()
            while after == before && Date().timeIntervalSince(start) < 2 { after = try store.changeToken() }
            #expect(after != before)
        }
    }

    @Test func upgradesAVersion2StoreToVersion3() throws {
        try TestServer.withFreshDatabase { location in
            let db = try TestServer.connect(location)
            defer { db.close() }
            #expect(try PostgresSchema.migrate(db, timeZone: TimeZone(identifier: "Europe/London")!, upTo: 2) == 0)
            #expect(try PostgresSchema.inspect(db) == .ours(version: 2))
            #expect(try !tables(db).contains("hand_over_claims"))
            try db.execute("INSERT INTO accounts (name) VALUES ('Harbour Lets')")
            // Version 3 adds the feeder queue's claims, keeping the rows.
            #expect(try PostgresSchema.migrate(db, timeZone: .current) == 2)
            #expect(try PostgresSchema.inspect(db) == .ours(version: PostgresSchema.version))
            #expect(try tables(db) == Self.expectedTables)
            #expect(try db.rows("SELECT count(*) FROM hand_over_claims").first?.decode(Int64.self) == 0)
            #expect(try db.rows("SELECT count(*) FROM accounts").first?.decode(Int64.self) == 1)
        }
    }

    /// A store at version 3 gains version 4's System staff column and the copy's progress
    /// table when opened, keeping its rows.
    @Test func upgradesAVersion3StoreToVersion4() throws {
        try TestServer.withFreshDatabase { location in
            let db = try TestServer.connect(location)
            defer { db.close() }
            #expect(try PostgresSchema.migrate(db, timeZone: TimeZone(identifier: "Europe/London")!, upTo: 3) == 0)
            #expect(try PostgresSchema.inspect(db) == .ours(version: 3))
            #expect(try !tables(db).contains("migration_progress"))
            try db.execute("INSERT INTO accounts (name) VALUES ('Harbour Lets')")
            #expect(try PostgresSchema.migrate(db, timeZone: .current) == 3)
            #expect(try PostgresSchema.inspect(db) == .ours(version: PostgresSchema.version))
            #expect(try tables(db) == Self.expectedTables)
            try db.execute("INSERT INTO staff (account_id, name, role, is_system) VALUES (1, 'System', 'staff', true)")
            #expect(throws: PostgresStoreError.self) {
                try db.execute("INSERT INTO staff (account_id, name, role, is_system) VALUES (1, 'System 2', 'staff', true)")
            }
        }
    }

    @Test func refusesANewerStoreAndLeavesItUntouched() throws {
        try TestServer.withMigratedStore { db in
            try db.execute("UPDATE store_meta SET value = \(String(PostgresSchema.version + 1)) WHERE key = 'schema_version'")
            let expected = PostgresStoreError.newerSchema(location: db.location.description, found: PostgresSchema.version + 1, supported: PostgresSchema.version)
            #expect(throws: expected) { try PostgresSchema.inspect(db) }
            #expect(throws: expected) { try PostgresSchema.migrate(db, timeZone: .current) }
            #expect(expected.description == "\(db.location) uses database schema version \(PostgresSchema.version + 1), but this email-audit only knows up to version \(PostgresSchema.version); upgrade email-audit. The database was left untouched.")
            #expect(try meta(db, "schema_version") == String(PostgresSchema.version + 1))
        }
    }

    @Test func refusesAnotherProgramsDatabase() throws {
        try TestServer.withFreshDatabase { location in
            let db = try TestServer.connect(location)
            defer { db.close() }
            try db.execute("CREATE TABLE invoices (id bigint PRIMARY KEY)")
            let expected = PostgresStoreError.notAnAuditDatabase(location: location.description)
            #expect(throws: expected) { try PostgresSchema.migrate(db, timeZone: .current) }
            #expect(try tables(db) == ["invoices"])
            // A store_meta of another application is not ours either.
            try db.execute("CREATE TABLE store_meta (key text PRIMARY KEY, value text NOT NULL)")
            try db.execute("INSERT INTO store_meta VALUES ('application', 'billing'), ('schema_version', '1')")
            #expect(throws: expected) { try PostgresSchema.inspect(db) }
        }
    }

    /// March 2026 in Europe/London holds the clock change (Sunday 29/03/2026, 01:00 GMT →
    /// 02:00 BST): its partition is the local month, 1 March 00:00 GMT to 1 April 00:00 BST
    /// (31/03 23:00 UTC), and April's starts there.
    @Test func createsMonthPartitionsOnDemandAcrossAClockChange() throws {
        try TestServer.withMigratedStore(timeZone: "Europe/London") { db in
            let (account, staff) = try makeAccount(db, name: "Harbour Lets")
            // No partition yet: the insert fails with the state writers recognise.
            do {
                _ = try insertEmail(db, account: account, staff: staff, at: utc(2026, 3, 29, 1, 30), to: "a@example.net")
                Issue.record("an insert with no partition succeeded")
            } catch let error as PostgresStoreError {
                #expect(error.sqlState == PostgresPartitions.missingPartitionState)
            }

            #expect(try PostgresPartitions.create(for: utc(2026, 3, 29, 1, 30), in: db) == "y2026m03")
            // 00:30 BST on 1 April is 23:30 UTC on 31 March: April locally.
            #expect(try PostgresPartitions.create(for: utc(2026, 3, 31, 23, 30), in: db) == "y2026m04")
            #expect(try PostgresPartitions.create(for: utc(2026, 4, 15), in: db) == "y2026m04")

            let emailMonths = try PostgresPartitions.months(of: "emails", in: db)
            #expect(emailMonths.map(\.name) == ["emails_y2026m03", "emails_y2026m04"])
            #expect(emailMonths.map(\.from) == [utc(2026, 3, 1), utc(2026, 3, 31, 23)])
            #expect(emailMonths.map(\.to) == [utc(2026, 3, 31, 23), utc(2026, 4, 30, 23)])
            let eventMonths = try PostgresPartitions.months(of: "events", in: db)
            #expect(eventMonths.map(\.name) == ["events_y2026m03", "events_y2026m04"])
            #expect(eventMonths.map(\.from) == emailMonths.map(\.from))

            // Each email lands in its local month.
            let afterChange = try insertEmail(db, account: account, staff: staff, at: utc(2026, 3, 29, 1, 30), to: "a@example.net")
            let lastMarch = try insertEmail(db, account: account, staff: staff, at: utc(2026, 3, 31, 22, 59), to: "b@example.net")
            let firstApril = try insertEmail(db, account: account, staff: staff, at: utc(2026, 3, 31, 23, 30), to: "c@example.net")
            func partition(of id: Int64) throws -> String? {
                try db.rows("SELECT tableoid::regclass::text FROM emails WHERE account_id = \(account) AND id = \(id)")
                    .first?.decode(String.self)
            }
            #expect(try partition(of: afterChange) == "emails_y2026m03")
            #expect(try partition(of: lastMarch) == "emails_y2026m03")
            #expect(try partition(of: firstApril) == "emails_y2026m04")

            // An event lives in its email's month, whenever it occurred.
            try db.execute("""
                INSERT INTO events (account_id, email_created_at, email_id, key_hash, event_key, provider_event_id, kind, occurred_at, raw_json)
                VALUES (\(account), \(utc(2026, 3, 31, 22, 59)), \(lastMarch), 1, 'k', 'ev1', 'delivered', \(utc(2026, 4, 2)), '\\x00'::bytea)
                """)
            #expect(try db.rows("SELECT tableoid::regclass::text FROM events").first?.decode(String.self) == "events_y2026m03")
        }
    }

    @Test func openingCreatesTheStoreAndThisAndNextMonth() throws {
        try TestServer.withFreshDatabase { location in
            // 00:30 BST on 1 April 2026: April locally, so April and May are made.
            let db = try PostgresStoreOpening.open(url: location.description, timeZone: TimeZone(identifier: "Europe/London")!,
                                                   now: utc(2026, 3, 31, 23, 30), environment: [:], warn: { Issue.record("unexpected warning: \($0)") })
            defer { db.close() }
            #expect(try PostgresSchema.inspect(db) == .ours(version: PostgresSchema.version))
            let months = try PostgresPartitions.months(of: "emails", in: db)
            #expect(months.map(\.name) == ["emails_y2026m04", "emails_y2026m05"])
            #expect(months.map(\.from) == [utc(2026, 3, 31, 23), utc(2026, 4, 30, 23)])
            // December's next month is January of the next year.
            try PostgresPartitions.createCurrentAndNext(now: utc(2026, 12, 15), in: db)
            #expect(try PostgresPartitions.months(of: "events", in: db).map(\.name).suffix(2) == ["events_y2026m12", "events_y2027m01"])
        }
    }

    @Test func keyedLookupsKeepAccountsApart() throws {
        try TestServer.withMigratedStore { db in
            try PostgresPartitions.create(for: utc(2026, 6, 10), in: db)
            let (harbour, alice) = try makeAccount(db, name: "Harbour Lets")
            let (northgate, bob) = try makeAccount(db, name: "Northgate Property")
            // The same recipient and the same host id in both accounts.
            let harbourEmail = try insertEmail(db, account: harbour, staff: alice, at: utc(2026, 6, 10, 9), to: "tenant@example.net",
                                               subject: "Harbour rent")
            let northgateEmail = try insertEmail(db, account: northgate, staff: bob, at: utc(2026, 6, 10, 9), to: "tenant@example.net",
                                                 subject: "Northgate rent")
            for (account, email) in [(harbour, harbourEmail), (northgate, northgateEmail)] {
                try db.execute("""
                    INSERT INTO email_host_ids (account_id, host_id, email_id, email_created_at)
                    VALUES (\(account), 'crm-42', \(email), \(utc(2026, 6, 10, 9)))
                    """)
            }

            func subject(account: Int64, id: Int64) throws -> String? {
                try db.rows("SELECT subject FROM emails WHERE account_id = \(account) AND id = \(id)").first?.decode(String.self)
            }
            #expect(try subject(account: harbour, id: harbourEmail) == "Harbour rent")
            #expect(try subject(account: northgate, id: northgateEmail) == "Northgate rent")
            // Another account's id finds nothing.
            #expect(try subject(account: harbour, id: northgateEmail) == nil)
            #expect(try subject(account: northgate, id: harbourEmail) == nil)

            func hostEmail(account: Int64) throws -> Int64? {
                try db.rows("SELECT email_id FROM email_host_ids WHERE account_id = \(account) AND host_id = 'crm-42'")
                    .first?.decode(Int64.self)
            }
            #expect(try hostEmail(account: harbour) == harbourEmail)
            #expect(try hostEmail(account: northgate) == northgateEmail)

            // The recipients trigger counts per account.
            let recipients = try db.rows("SELECT account_id, emails FROM recipients WHERE address = 'tenant@example.net' ORDER BY 1")
                .map { try $0.decode((Int64, Int64).self) }
            #expect(recipients.map(\.0) == [harbour, northgate])
            #expect(recipients.map(\.1) == [1, 1])

            // A row cannot name another account's email or staff: the keys carry the account.
            // (Events have no foreign key since version 6; the ingest finds emails by account.)
            #expect(throws: PostgresStoreError.self) {
                try db.execute("""
                    INSERT INTO hand_over_claims (account_id, email_id, email_created_at, claimed_by, claimed_until)
                    VALUES (\(harbour), \(northgateEmail), \(utc(2026, 6, 10, 9)), 'feeder', now())
                    """)
            }
            do {
                _ = try insertEmail(db, account: harbour, staff: bob, at: utc(2026, 6, 10, 10), to: "x@example.net")
                Issue.record("an email raised by another account's staff was stored")
            } catch let error as PostgresStoreError {
                #expect(error.sqlState == "23503")
            }
            // The same host id twice in one account is refused.
            do {
                try db.execute("""
                    INSERT INTO email_host_ids (account_id, host_id, email_id, email_created_at)
                    VALUES (\(harbour), 'crm-42', \(harbourEmail), \(utc(2026, 6, 10, 9)))
                    """)
                Issue.record("a duplicate host id was stored")
            } catch let error as PostgresStoreError {
                #expect(error.sqlState == "23505")
            }
        }
    }

    @Test func transactionsCommitOrRollBack() throws {
        try TestServer.withMigratedStore { db in
            struct Stop: Error {}
            #expect(throws: Stop.self) {
                try db.transaction { db in
                    try db.execute("INSERT INTO accounts (name) VALUES ('Lost')")
                    throw Stop()
                }
            }
            let id = try db.transaction { db in
                try db.rows("INSERT INTO accounts (name) VALUES ('Kept') RETURNING id").first!.decode(Int64.self)
            }
            #expect(try db.rows("SELECT name FROM accounts").map { try $0.decode(String.self) } == ["Kept"])
            #expect(id > 0)
            #expect(throws: PostgresStoreError.nestedTransaction) {
                try db.transaction { db in try db.transaction { _ in } }
            }
            // The refused inner transaction rolled the outer one back; the connection still works.
            #expect(try db.rows("SELECT count(*) FROM accounts").first?.decode(Int64.self) == 1)
        }
    }

    @Test func serverErrorsReadAsOneLine() throws {
        try TestServer.withMigratedStore { db in
            do {
                try db.execute("SELECT * FROM no_such_table")
                Issue.record("expected an error")
            } catch let error as PostgresStoreError {
                #expect(error.sqlState == "42P01")
                #expect(error.description == "The PostgreSQL store \(db.location) failed: relation \"no_such_table\" does not exist (SQLSTATE 42P01).")
            }
        }
    }

    @Test func aWrongSocketIsACleanConnectError() throws {
        let location = try PostgresLocation(url: "postgresql://nobody@/x?host=/nonexistent-email-audit-dir")
        do {
            _ = try BlockingPostgresConnection.connect(to: location, password: nil, timeout: 2)
            Issue.record("connected to nothing")
        } catch {
            #expect("\(error)" == "Cannot connect to the PostgreSQL store postgresql://nobody@/x?host=/nonexistent-email-audit-dir: "
                + "No such file or directory (errno 2).")
        }
    }

    // MARK: - Helpers

    func makeAccount(_ db: BlockingPostgresConnection, name: String) throws -> (account: Int64, staff: Int64) {
        let account = try db.rows("INSERT INTO accounts (name) VALUES (\(name)) RETURNING id").first!.decode(Int64.self)
        let staff = try db.rows("""
            INSERT INTO staff (account_id, name, role) VALUES (\(account), \(name + " staff"), 'staff') RETURNING id
            """).first!.decode(Int64.self)
        return (account, staff)
    }

    func insertEmail(_ db: BlockingPostgresConnection, account: Int64, staff: Int64, at: Date, to: String,
                     subject: String = "Rent statement") throws -> Int64 {
        try db.rows("""
            INSERT INTO emails (account_id, created_at, raised_by_id, activity, to_address, subject, body)
            VALUES (\(account), \(at), \(staff), 'statement', \(to), \(subject), 'Dear tenant') RETURNING id
            """).first!.decode(Int64.self)
    }
}

/// Results gathered from several threads.
final class ResultBox: @unchecked Sendable {
    enum Outcome: Comparable, Sendable {
        case success(Int)
        case failure(String)
    }
    private let lock = NSLock()
    private var stored: [Outcome] = []
    func add(_ outcome: Outcome) {
        lock.lock()
        stored.append(outcome)
        lock.unlock()
    }
    var values: [Outcome] {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }
}
