import Foundation
import PostgresNIO

/// The PostgreSQL store's layout and its versioned migrations.
///
/// A database is ours when its current schema has the table `store_meta` with
/// `application = 'email-audit'`; `schema_version` there is the newest migration that ran.
/// Each migration runs in its own transaction (PostgreSQL's DDL is transactional: an upgrade
/// that fails changes nothing) under an advisory lock, so two processes opening a new or older
/// store at once upgrade it once. A store whose version is newer than ``version`` is refused
/// before anything is changed, as the SQLite store refuses one.
public enum PostgresSchema {
    /// The newest schema version this code knows.
    public static let version = 14
    /// `store_meta.application` of every email-audit database.
    public static let application = "email-audit"
    /// The advisory lock held while migrating ("EmAu", as SQLite's `application_id`).
    static let migrationLockKey: Int64 = 0x456D_4175
    /// The advisory lock held while creating a month's partitions.
    static let partitionLockKey: Int64 = 0x456D_4176

    /// The migrations, oldest first: each one's statements, run in order in one transaction.
    static let migrations: [(version: Int, statements: [String])] = [
        (1, v1), (2, v2), (3, v3HandOverClaims), (4, v4MovingIn), (5, v5ChangeNotices), (6, v6EventsWithoutForeignKey),
        (7, v7NotificationNotices), (8, v8EmailKeys), (9, v9EmailStatuses), (10, v10SubjectTrigrams), (11, v11SearchKeys),
        (12, v12SearchKeysWrittenInPlace), (13, v13StatusSubjects), (14, v14RoomForStatusUpdates),
    ]

    /// What an existing database is.
    public enum Verdict: Equatable, Sendable {
        /// No table in the current schema: a new store.
        case fresh
        /// An email-audit store at a version this code knows.
        case ours(version: Int)
    }

    /// Decides, without changing anything, whether the database may be used as a store.
    /// - Throws: ``PostgresStoreError/newerSchema(location:found:supported:)`` for a newer store,
    ///   ``PostgresStoreError/notAnAuditDatabase(location:)`` for a database with other tables.
    public static func inspect(_ db: BlockingPostgresConnection) throws(PostgresStoreError) -> Verdict {
        let tables = try db.rows("""
            SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
            """).compactMap { try? $0.decode(String.self) }
        if tables.isEmpty { return .fresh }
        guard tables.contains("store_meta") else { throw .notAnAuditDatabase(location: db.location.description) }
        let meta = try keyedValues(db, keys: ["application", "schema_version"])
        guard meta["application"] == application, let found = meta["schema_version"].flatMap(Int.init) else {
            throw .notAnAuditDatabase(location: db.location.description)
        }
        if found > version {
            throw .newerSchema(location: db.location.description, found: found, supported: version)
        }
        return .ours(version: found)
    }

    /// Creates the store in an empty database, or upgrades an older one, to ``version``.
    /// - Parameter timeZone: the zone whose local months the partitions follow, recorded when
    ///   the store is created (`store_meta.partition_time_zone`) and never changed after.
    /// - Parameter target: the version to stop at (tests make an older store with it).
    /// - Returns: the version the store had before (0 when it was created).
    @discardableResult
    public static func migrate(_ db: BlockingPostgresConnection, timeZone: TimeZone, upTo target: Int = version) throws -> Int {
        var before: Int?
        while true {
            let done = try db.transaction { db throws -> Bool in
                try db.execute("SELECT pg_advisory_xact_lock(\(migrationLockKey))")
                var current: Int
                switch try inspect(db) {
                case .fresh:
                    try db.execute("CREATE TABLE store_meta (key text PRIMARY KEY, value text NOT NULL)")
                    try db.execute("""
                        INSERT INTO store_meta (key, value) VALUES ('application', \(application)), ('schema_version', '0'),
                            ('partition_time_zone', \(timeZone.identifier))
                        """)
                    current = 0
                case .ours(let found):
                    current = found
                }
                if before == nil { before = current }
                guard let next = migrations.first(where: { $0.version > current }), next.version <= target else { return true }
                for statement in next.statements {
                    try db.execute(PostgresQuery(unsafeSQL: statement))
                }
                try db.execute("UPDATE store_meta SET value = \(String(next.version)) WHERE key = 'schema_version'")
                current = next.version
                return current >= target
            }
            if done { return before ?? 0 }
        }
    }

    /// The values of `keys` in `store_meta` (missing keys are absent).
    static func keyedValues(_ db: BlockingPostgresConnection, keys: [String]) throws(PostgresStoreError) -> [String: String] {
        var values: [String: String] = [:]
        for row in try db.rows("SELECT key, value FROM store_meta WHERE key = ANY(\(keys))") {
            if let (key, value) = try? row.decode((String, String).self) { values[key] = value }
        }
        return values
    }
}

/// The monthly partitions of `emails` and `events`.
public enum PostgresPartitions {
    /// Creates the partitions of `emails` and `events` for the month (local to the store's
    /// partition zone) that holds `date`, unless they exist, and returns their suffix
    /// (`y2026m03`: tables `emails_y2026m03` and `events_y2026m03`).
    ///
    /// Creating a partition briefly locks `emails` and `events` against other writers and
    /// readers, so writers create the current and next month ahead (when they open the store)
    /// and fall back to this when an insert fails with SQLSTATE 23514 (no partition for the row).
    @discardableResult
    public static func create(for date: Date, in db: BlockingPostgresConnection) throws(PostgresStoreError) -> String {
        let rows = try db.rows("SELECT email_audit_create_month_partitions(\(date))")
        guard let suffix = try? rows.first?.decode(String.self) else {
            throw .server(location: db.location.description, sqlState: "XX000", message: "the partition function returned nothing")
        }
        return suffix
    }

    /// The SQLSTATE of an insert into `emails` or `events` for a month with no partition.
    public static let missingPartitionState = "23514"

    /// The bounds of each month partition of `table` (`emails` or `events`), oldest first:
    /// the partition's name and its range `[from, to)`.
    public static func months(of table: String, in db: BlockingPostgresConnection) throws(PostgresStoreError) -> [(name: String, from: Date, to: Date)] {
        let rows = try db.rows("""
            SELECT c.relname,
                   (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \\(''([^'']+)''\\)'))[1]::timestamptz,
                   (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \\(''([^'']+)''\\)'))[1]::timestamptz
            FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = \(table)::regclass
            ORDER BY 2
            """)
        var months: [(name: String, from: Date, to: Date)] = []
        for row in rows {
            if let (name, from, to) = try? row.decode((String, Date, Date).self) { months.append((name, from, to)) }
        }
        return months
    }
}
