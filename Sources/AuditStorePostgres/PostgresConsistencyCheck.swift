import AuditCore
import Foundation
import PostgresNIO

/// What `email-audit check` finds in a PostgreSQL store: the facts the server cannot check for
/// itself, because the schema keeps them by triggers and by the ingest rather than by
/// constraints (each taken out of the ingest's way for speed: docs/postgres.md).
public struct PostgresConsistencyReport: Sendable, Equatable {
    /// The store's schema version.
    public var schemaVersion: Int
    /// Every account's emails and events.
    public var emails: Int
    public var events: Int
    /// Roll-up rows (daily, monthly, yearly) whose count differs from a recount of the emails
    /// by the store's local days, or that a recount has and the table lacks.
    public var rollupMismatches: [String: Int] = [:]
    /// Emails whose `email_statuses` row is missing, extra or differs (status, raiser, address,
    /// creation time): the status lists and counts read that table.
    public var statusMismatches: Int
    /// Emails whose `email_keys` row (account and creation time by id) is missing, extra or differs.
    public var keyMismatches: Int
    /// Events whose email does not exist (events have no foreign key since schema version 6).
    public var orphanEvents: Int
    /// Indexes amcheck found damaged (`bt_index_check`), one line each; nil when not run.
    public var damagedIndexes: [String]?
    /// The zone the roll-ups count days in (`store_meta.partition_time_zone`).
    public var timeZone: String

    /// One line per problem found (empty: the store is consistent).
    public var problems: [String] {
        var lines: [String] = []
        for table in ["rollups", "rollups_monthly", "rollups_yearly"] {
            if let count = rollupMismatches[table], count > 0 {
                lines.append("\(count) row\(count == 1 ? "" : "s") of \(table) differ\(count == 1 ? "s" : "") from a recount of the emails")
            }
        }
        if statusMismatches > 0 {
            lines.append("\(statusMismatches) email\(statusMismatches == 1 ? "" : "s") whose email_statuses row is missing or differs")
        }
        if keyMismatches > 0 {
            lines.append("\(keyMismatches) email\(keyMismatches == 1 ? "" : "s") whose email_keys row is missing or differs")
        }
        if orphanEvents > 0 {
            lines.append("\(orphanEvents) event\(orphanEvents == 1 ? "" : "s") whose email does not exist")
        }
        lines += damagedIndexes ?? []
        return lines
    }
}

extension PostgresAuditStore {
    /// Checks what the schema keeps by triggers and by the ingest rather than by constraints,
    /// all in one read-only snapshot (`REPEATABLE READ`, so writers may go on): every roll-up
    /// table against a recount of the emails by the store's local days (counted by the server
    /// in the store's zone, from the same tz database as the ingest's days), `email_statuses`
    /// and `email_keys` against `emails`, and every event's email. With `indexes`, also every
    /// B-tree index of the store's tables with amcheck's `bt_index_check` (heap entries too),
    /// when the extension is installed in the database (nil in the report when it is not).
    public func consistencyReport(indexes: Bool = false) throws -> PostgresConsistencyReport {
        let zone = timeZone.identifier
        return try connection.transaction(isolation: .repeatableRead) { db in
            _ = try db.execute("SET TRANSACTION READ ONLY")
            let version = try int64("SELECT value::bigint FROM store_meta WHERE key = 'schema_version'", on: db) ?? 0
            let rollups = try rows("""
                WITH counted AS MATERIALIZED (
                    SELECT account_id, raised_by_id, status, (created_at AT TIME ZONE \(zone))::date AS local, count(*) AS n
                    FROM emails GROUP BY 1, 2, 3, 4),
                days AS (
                    SELECT account_id, (local - date '1970-01-01') AS period, raised_by_id, status, sum(n) AS n
                    FROM counted GROUP BY 1, 2, 3, 4),
                months AS (
                    SELECT account_id, (extract(year FROM local)::int * 12 + extract(month FROM local)::int - 1) AS period,
                           raised_by_id, status, sum(n) AS n
                    FROM counted GROUP BY 1, 2, 3, 4),
                years AS (
                    SELECT account_id, extract(year FROM local)::int AS period, raised_by_id, status, sum(n) AS n
                    FROM counted GROUP BY 1, 2, 3, 4)
                SELECT
                    (SELECT count(*) FROM days c FULL JOIN rollups r
                        ON r.account_id = c.account_id AND r.day = c.period AND r.raised_by_id = c.raised_by_id AND r.status = c.status
                     WHERE coalesce(c.n, 0) <> coalesce(r.count, 0)),
                    (SELECT count(*) FROM months c FULL JOIN rollups_monthly r
                        ON r.account_id = c.account_id AND r.month = c.period AND r.raised_by_id = c.raised_by_id AND r.status = c.status
                     WHERE coalesce(c.n, 0) <> coalesce(r.count, 0)),
                    (SELECT count(*) FROM years c FULL JOIN rollups_yearly r
                        ON r.account_id = c.account_id AND r.year = c.period AND r.raised_by_id = c.raised_by_id AND r.status = c.status
                     WHERE coalesce(c.n, 0) <> coalesce(r.count, 0)),
                    (SELECT coalesce(sum(n), 0)::bigint FROM counted)
                """, on: db) { row in
                (try row[0].decode(Int64.self), try row[1].decode(Int64.self), try row[2].decode(Int64.self), try row[3].decode(Int64.self))
            }[0]
            let statuses = try int64("""
                SELECT count(*) FROM emails e FULL JOIN email_statuses s ON s.account_id = e.account_id AND s.id = e.id
                WHERE e.id IS NULL OR s.id IS NULL
                   OR (e.created_at, e.raised_by_id, e.status, e.to_address) IS DISTINCT FROM (s.created_at, s.raised_by_id, s.status, s.to_address)
                """, on: db) ?? 0
            let keys = try int64("""
                SELECT count(*) FROM emails e FULL JOIN email_keys k ON k.account_id = e.account_id AND k.id = e.id
                WHERE e.id IS NULL OR k.id IS NULL OR e.created_at IS DISTINCT FROM k.created_at
                """, on: db) ?? 0
            let orphans = try int64("""
                SELECT count(*) FROM events v
                WHERE NOT EXISTS (SELECT 1 FROM emails e
                                  WHERE e.account_id = v.account_id AND e.id = v.email_id AND e.created_at = v.email_created_at)
                """, on: db) ?? 0
            let events = try int64("SELECT count(*) FROM events", on: db) ?? 0
            var report = PostgresConsistencyReport(
                schemaVersion: Int(version), emails: Int(rollups.3), events: Int(events),
                rollupMismatches: ["rollups": Int(rollups.0), "rollups_monthly": Int(rollups.1), "rollups_yearly": Int(rollups.2)],
                statusMismatches: Int(statuses), keyMismatches: Int(keys), orphanEvents: Int(orphans), damagedIndexes: nil,
                timeZone: zone)
            if indexes, try int64("SELECT count(*) FROM pg_extension WHERE extname = 'amcheck'", on: db) ?? 0 > 0 {
                report.damagedIndexes = try damagedIndexes(on: db)
            }
            return report
        }
    }

    /// Every B-tree index of the store's tables (partitions' too) checked by amcheck, with its
    /// heap (`heapallindexed`): the ones it refuses, a line each with the server's words.
    private func damagedIndexes(on db: BlockingPostgresConnection) throws -> [String] {
        let names = try rows("""
            SELECT c.relname::text FROM pg_index i
            JOIN pg_class c ON c.oid = i.indexrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_am a ON a.oid = c.relam
            WHERE n.nspname = current_schema() AND a.amname = 'btree' AND c.relkind = 'i' AND i.indisvalid
            ORDER BY 1
            """, on: db) { try $0[0].decode(String.self) }
        var damaged: [String] = []
        for name in names {
            do {
                _ = try db.execute("SAVEPOINT amcheck")
                _ = try db.rows("SELECT bt_index_check(to_regclass(\(name)), true)")
                _ = try db.execute("RELEASE SAVEPOINT amcheck")
            } catch {
                _ = try db.execute("ROLLBACK TO SAVEPOINT amcheck")
                damaged.append("index \(name): \(error)")
            }
        }
        return damaged
    }
}
