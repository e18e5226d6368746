import AuditCore
import AuditStore
import Foundation
import NIOCore
import PostgresNIO

/// Why a copy from a SQLite store (``PostgresStoreCopy``) refused or stopped.
public enum StoreCopyError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The destination holds a copy of another SQLite store.
    case differentSource(location: String)
    /// The destination holds data that no copy wrote (a store in use, or one made otherwise).
    case holdsOtherData(location: String)
    /// The destination counts days and months in another time zone than the source.
    case differentTimeZone(location: String, destination: String, source: String)
    /// Another copy is writing into the destination.
    case copyInProgress(location: String)
    /// The copy stopped after this many chunks (a test's stand-in for a kill).
    case stoppedAfterChunks(Int)

    public var description: String {
        switch self {
        case .differentSource(let location):
            "\(location) holds a copy of another SQLite store; copy into an empty database."
        case .holdsOtherData(let location):
            "\(location) already holds an email-audit store with data that no copy from a SQLite store wrote; copy into an empty database."
        case .differentTimeZone(let location, let destination, let source):
            "\(location) counts days in \(destination), the SQLite store in \(source); copy into an empty database."
        case .copyInProgress(let location):
            "Another email-audit migrate is copying into \(location); wait for it to finish."
        case .stoppedAfterChunks(let chunks):
            "The copy stopped after \(chunks) chunks as asked; run it again to continue."
        }
    }
}

/// How far a copy has got.
public struct StoreCopyProgress: Sendable, Equatable {
    /// The table being copied.
    public var table: String
    /// Rows copied so far, over every table (including earlier runs of an interrupted copy).
    public var rowsCopied: Int
    /// Rows to copy in all.
    public var totalRows: Int
}

/// One line of the count check after a copy: the rows (or a total) in the source and in the
/// destination.
public struct StoreCopyCheck: Sendable, Equatable {
    /// What was counted ("emails", "emails Delivered", "rollups_monthly Opened (sum)", ...).
    public let what: String
    public let source: Int
    public let destination: Int

    public var matches: Bool { source == destination }
}

/// Copies a SQLite store (schema version 15, read through ``StoreCopySource``) into a
/// PostgreSQL store (`email-audit migrate`): every table that holds data, ids kept, in chunks
/// in copy-key order per table. Each chunk is one transaction that also records the table's
/// position in `migration_progress`, so a copy stopped at any point continues after its last
/// committed chunk, and a copy run again once done copies nothing. The destination must be
/// empty or hold a copy of the same source (`store_meta.copied_from`, ``StoreCopySource/fingerprint()``),
/// in the source's time zone.
public enum PostgresStoreCopy {
    /// The advisory lock a copy holds on its connection while it runs ("EmAw").
    static let copyLockKey: Int64 = 0x456D_4177
    /// PostgreSQL takes at most 65,535 parameters per statement.
    static let maximumParameters = 60_000
    /// Tables whose ids come from an identity column or sequence, and that sequence.
    static let sequences: [(table: String, sequence: String?)] = [
        ("accounts", nil), ("staff", nil), ("blocks", nil), ("units", nil), ("contacts", nil), ("senders", nil),
        ("users", nil), ("suppression_history", nil), ("notifications", nil), ("contact_changes", nil),
        ("emails", "emails_id_seq"), ("events", "events_id_seq"),
    ]

    /// Copies what is not yet copied and returns the rows copied by this run.
    ///
    /// - Parameters:
    ///   - chunkRows: rows per transaction (fewer for wide tables: at most 60,000 values).
    ///   - stopAfterChunks: for tests, stop with ``StoreCopyError/stoppedAfterChunks(_:)`` after
    ///     committing this many chunks, as a kill would.
    ///   - progress: hears after every chunk, on this thread.
    /// - Throws: ``StoreCopyError`` for a destination it must not write into, ``PostgresStoreError``
    ///   for the server's refusals (a newer schema, another program's database), `StoreError` for the source.
    @discardableResult
    public static func copy(from source: StoreCopySource, to db: BlockingPostgresConnection, chunkRows: Int = 2000,
                            stopAfterChunks: Int? = nil, progress: (StoreCopyProgress) -> Void = { _ in }) throws -> Int {
        let location = db.location.description
        let zoneName = try source.timeZoneIdentifier()
        guard let zone = TimeZone(identifier: zoneName) else {
            throw PostgresStoreError.invalidValue("the SQLite store's time zone '\(zoneName)' is unknown here")
        }
        try PostgresSchema.migrate(db, timeZone: zone)
        let locked = try db.rows("SELECT pg_try_advisory_lock(\(copyLockKey))").first?.decode(Bool.self) ?? false
        guard locked else { throw StoreCopyError.copyInProgress(location: location) }
        defer { _ = try? db.execute("SELECT pg_advisory_unlock(\(copyLockKey))") }
        try claim(db, for: source, zone: zoneName)

        let totals = try source.totalRows()
        var copied = try copiedRows(db)
        progress(StoreCopyProgress(table: StoreCopySource.tables.first?.name ?? "", rowsCopied: copied, totalRows: totals))
        var chunks = 0
        var copiedNow = 0
        for table in StoreCopySource.tables {
            var position = try self.position(of: table, in: db)
            guard !position.done else { continue }
            let limit = max(1, min(chunkRows, maximumParameters / table.columns.count))
            while true {
                let rows = try source.chunk(of: table, after: position.lastKey, limit: limit)
                let done = rows.count < limit
                let key = rows.last?.key ?? position.lastKey
                try db.transaction { db in
                    // The foreign keys' checks of the rows as generic plans: each check of a key
                    // into the partitioned `emails` (`email_units`, `email_host_ids`, ...) was
                    // otherwise planned afresh for every row, since a plan for one month looks
                    // cheaper than one for every month (1,000,000 emails: 1,076,229 checks, 57 s
                    // of planning and 9 s of running; pg_stat_statements). Generic, the month is
                    // found when the check runs: 21,546 email_units over 38 months in 0.68-0.98 s
                    // instead of 1.68-2.10 s (psql). Only this transaction's statements.
                    try db.execute("SET LOCAL plan_cache_mode = force_generic_plan")
                    if !rows.isEmpty {
                        if let column = table.monthColumn { try createMonths(of: rows, column: column, on: db) }
                        try db.execute(try insert(rows, into: table))
                    }
                    let encodedKey = try key.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
                    try db.execute("""
                        INSERT INTO migration_progress (source_table, last_key, rows_copied, done)
                        VALUES (\(table.name), \(encodedKey), \(Int64(rows.count)), \(done))
                        ON CONFLICT (source_table) DO UPDATE SET last_key = excluded.last_key,
                            rows_copied = migration_progress.rows_copied + excluded.rows_copied, done = excluded.done
                        """)
                }
                position = (key, done)
                copied += rows.count
                copiedNow += rows.count
                chunks += 1
                progress(StoreCopyProgress(table: table.name, rowsCopied: copied, totalRows: totals))
                if let stopAfterChunks, chunks >= stopAfterChunks {
                    throw StoreCopyError.stoppedAfterChunks(chunks)
                }
                if done { break }
            }
        }
        try setSequences(db)
        // The planner's statistics of what was copied: autovacuum analyses a table only after
        // 50 rows and a tenth of it have changed since its last look, which a table of a few
        // rows (accounts) never reaches, and a just-filled store is otherwise planned as empty.
        try db.execute("ANALYZE")
        return copiedNow
    }

    /// Compares every table's rows in the source and the destination, the emails per status,
    /// the roll-up sums per status and the per-account recipients.
    public static func check(_ source: StoreCopySource, against db: BlockingPostgresConnection) throws -> [StoreCopyCheck] {
        var checks: [StoreCopyCheck] = []
        for table in StoreCopySource.tables {
            checks.append(StoreCopyCheck(what: table.name, source: try source.sourceRowCount(table),
                                         destination: try int("SELECT count(*) FROM \(unescaped: table.name)", db)))
        }
        checks.append(StoreCopyCheck(what: "recipients (account, address)", source: try source.recipientPairs(),
                                     destination: try int("SELECT count(*) FROM recipients WHERE emails > 0", db)))
        let byStatus = try grouped("SELECT status::bigint, count(*) FROM emails GROUP BY status", db)
        checks += statusChecks("emails", source: try source.emailsByStatus(), destination: byStatus)
        for table in ["rollups", "rollups_monthly", "rollups_yearly"] {
            let sums = try grouped("SELECT status::bigint, sum(count)::bigint FROM \(unescaped: table) GROUP BY status", db)
            checks += statusChecks("\(table) sum", source: try source.rollupTotalsByStatus(table), destination: sums)
        }
        return checks
    }

    /// Takes the destination for `source`: records its fingerprint in a new store, or checks
    /// that an existing one holds (part of) a copy of the same store in the same zone.
    static func claim(_ db: BlockingPostgresConnection, for source: StoreCopySource, zone: String) throws {
        let location = db.location.description
        let fingerprint = try source.fingerprint()
        try db.transaction { db in
            let meta = try PostgresSchema.keyedValues(db, keys: ["copied_from", "partition_time_zone"])
            if let copiedFrom = meta["copied_from"] {
                guard copiedFrom == fingerprint else { throw StoreCopyError.differentSource(location: location) }
            } else {
                for table in StoreCopySource.tables {
                    let any = try db.rows("SELECT 1 FROM \(unescaped: table.name) LIMIT 1")
                    guard any.isEmpty else { throw StoreCopyError.holdsOtherData(location: location) }
                }
                try db.execute("INSERT INTO store_meta (key, value) VALUES ('copied_from', \(fingerprint))")
            }
            if let destination = meta["partition_time_zone"], destination != zone {
                throw StoreCopyError.differentTimeZone(location: location, destination: destination, source: zone)
            }
        }
    }

    /// A table's copy position: the key of its last copied row and whether it is done.
    static func position(of table: StoreCopyTable, in db: BlockingPostgresConnection) throws -> (lastKey: [StoreCopyValue]?, done: Bool) {
        guard let row = try db.rows("SELECT last_key, done FROM migration_progress WHERE source_table = \(table.name)").first else {
            return (nil, false)
        }
        let (key, done) = try row.decode((String?, Bool).self)
        let decoded = try key.map { try JSONDecoder().decode([StoreCopyValue].self, from: Data($0.utf8)) }
        return (decoded, done)
    }

    /// Rows copied so far by every run.
    static func copiedRows(_ db: BlockingPostgresConnection) throws -> Int {
        try int("SELECT coalesce(sum(rows_copied), 0)::bigint FROM migration_progress", db)
    }

    /// Creates the partitions of every local month holding a row's time in `column` (ms since 1970).
    static func createMonths(of rows: [StoreCopyRow], column: Int, on db: BlockingPostgresConnection) throws {
        var instants: Set<Int64> = []
        for row in rows { if case .integer(let milliseconds) = row.values[column] { instants.insert(milliseconds) } }
        try db.execute("""
            SELECT email_audit_create_month_partitions(min(t))
            FROM (SELECT \(unescaped: epoch) + m * interval '1 millisecond' AS t FROM unnest(\(Array(instants))::bigint[]) m) x
            GROUP BY date_trunc('month', t AT TIME ZONE (SELECT value FROM store_meta WHERE key = 'partition_time_zone'))
            """)
    }

    static let epoch = "'1970-01-01 00:00:00+00'::timestamptz"

    /// One `INSERT` of `rows`, every value a parameter, converted by its column's kind.
    static func insert(_ rows: [StoreCopyRow], into table: StoreCopyTable) throws -> PostgresQuery {
        var bindings = PostgresBindings(capacity: rows.count * table.columns.count)
        var sql = "INSERT INTO \(table.name) (\(table.columns.map(\.name).joined(separator: ", "))) VALUES "
        var parameter = 0
        for (index, row) in rows.enumerated() {
            sql += index == 0 ? "(" : ", ("
            for (column, value) in zip(table.columns, row.values) {
                parameter += 1
                bind(value, to: &bindings)
                if column != table.columns.first { sql += ", " }
                sql += expression(column.kind, parameter: parameter)
            }
            sql += ")"
        }
        return PostgresQuery(unsafeSQL: sql, binds: bindings)
    }

    /// The SQL that turns parameter `$parameter` into the column's value.
    static func expression(_ kind: StoreCopyColumnKind, parameter: Int) -> String {
        switch kind {
        case .integer: "$\(parameter)::bigint"
        case .text: "$\(parameter)::text"
        case .milliseconds: "(\(epoch) + $\(parameter)::bigint * interval '1 millisecond')"
        case .microseconds: "(\(epoch) + $\(parameter)::bigint * interval '1 microsecond')"
        case .json: "$\(parameter)::jsonb"
        case .flag: "($\(parameter)::bigint <> 0)"
        case .bytes: "$\(parameter)::bytea"
        }
    }

    static func bind(_ value: StoreCopyValue, to bindings: inout PostgresBindings) {
        switch value {
        case .null: bindings.appendNull()
        case .integer(let number): bindings.append(number)
        case .real(let number): bindings.append(number)
        case .text(let text): bindings.append(text)
        case .bytes(let bytes): bindings.append(ByteBuffer(bytes: bytes))
        }
    }

    /// Moves each identity and sequence past the largest copied id, so new rows get new ids.
    static func setSequences(_ db: BlockingPostgresConnection) throws {
        try db.transaction { db in
            for (table, sequence) in sequences {
                let name = sequence.map { "'\($0)'" } ?? "pg_get_serial_sequence('\(table)', 'id')"
                try db.execute(PostgresQuery(unsafeSQL: """
                    SELECT setval(\(name), m) FROM (SELECT max(id) AS m FROM \(table)) x
                    WHERE m IS NOT NULL AND m > coalesce(pg_sequence_last_value(\(name)), 0)
                    """))
            }
        }
    }

    static func statusChecks(_ what: String, source: [Int: Int], destination: [Int: Int]) -> [StoreCopyCheck] {
        Set(source.keys).union(destination.keys).sorted().map { code in
            StoreCopyCheck(what: "\(what) \(EmailStatus(code: code)?.displayName ?? "status \(code)")",
                           source: source[code] ?? 0, destination: destination[code] ?? 0)
        }
    }

    static func int(_ query: PostgresQuery, _ db: BlockingPostgresConnection) throws -> Int {
        Int(try db.rows(query).first?.decode(Int64.self) ?? 0)
    }

    static func grouped(_ query: PostgresQuery, _ db: BlockingPostgresConnection) throws -> [Int: Int] {
        var totals: [Int: Int] = [:]
        for row in try db.rows(query) {
            let (status, count) = try row.decode((Int64, Int64).self)
            totals[Int(status)] = Int(count)
        }
        return totals
    }
}
