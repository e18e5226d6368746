import AuditCore
import Foundation
import PostgresNIO

/// Where a PostgreSQL store's bytes are: each table with its month partitions, TOAST and indexes
/// (`pg_total_relation_size`), for the benchmark's bytes per email beside SQLite's `dbstat`.
public struct PostgresStorageSize: Sendable, Equatable {
    /// One table of the store, its partitions counted in.
    public struct Table: Sendable, Equatable {
        public let name: String
        /// The rows' pages and TOAST (`pg_table_size`).
        public let tableBytes: Int64
        /// Its indexes (`pg_indexes_size`).
        public let indexBytes: Int64
        public var totalBytes: Int64 { tableBytes + indexBytes }
    }

    /// Every table of the store's schema, largest first.
    public let tables: [Table]
    /// All of them together.
    public var totalBytes: Int64 { tables.reduce(0) { $0 + $1.totalBytes } }
}

extension PostgresAuditStore {
    /// The size of every table in the store's schema, a partitioned table's partitions added to
    /// it (partitions of `emails` count as `emails`), with TOAST and indexes.
    public func storageSize() throws -> PostgresStorageSize {
        let tables = try rows("""
            SELECT coalesce(parent.relname, c.relname)::text, sum(pg_table_size(c.oid))::bigint, sum(pg_indexes_size(c.oid))::bigint
            FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_inherits i ON i.inhrelid = c.oid
            LEFT JOIN pg_class parent ON parent.oid = i.inhparent
            WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'm')
            GROUP BY 1
            ORDER BY 2 + 3 DESC, 1
            """) { row in
            PostgresStorageSize.Table(name: try row[0].decode(String.self), tableBytes: try row[1].decode(Int64.self),
                                      indexBytes: try row[2].decode(Int64.self))
        }
        return PostgresStorageSize(tables: tables)
    }

    /// The store's emails, every account's (a count of rows).
    public func emailCount() throws -> Int {
        Int(try int64("SELECT count(*) FROM emails", on: connection) ?? 0)
    }

    /// The store's provider events, every account's (a count of rows).
    public func eventCount() throws -> Int {
        Int(try int64("SELECT count(*) FROM events", on: connection) ?? 0)
    }

    /// Gathers the planner's statistics of every table (`ANALYZE`), as autovacuum would some
    /// time after a bulk load: the benchmark runs it after its build, so plans do not depend on
    /// when autovacuum last ran.
    public func analyze() throws {
        _ = try connection.execute("ANALYZE")
    }

    /// The plan of the first page of `filter` for `accountID`, run (`EXPLAIN (ANALYZE, BUFFERS)`):
    /// one line per plan line, or a single line saying the filter needs no statement.
    public func explainSummaries(matching filter: EmailFilter, accountID: Int64, limit: Int, now: Date) throws -> [String] {
        guard let query = try summaryQuery(matching: filter, accountID: accountID, from: nil, direction: .older, limit: limit, now: now) else {
            return ["(no statement: the To pattern matches no address of the account)"]
        }
        return try rows(PostgresQuery(unsafeSQL: "EXPLAIN (ANALYZE, BUFFERS) " + query.sql, binds: query.binds)) { try $0[0].decode(String.self) }
    }
}
