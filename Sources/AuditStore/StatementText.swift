import AuditCore
import Foundation
import GRDB
#if canImport(GRDBSQLite)
import GRDBSQLite
#elseif canImport(SQLite3)
import SQLite3
#endif

/// The SQL the store runs, with its bound values written in, for running the same statements
/// in the `sqlite3` command-line shell (the benchmark's side-by-side baseline).
extension AuditDatabase {
    /// The statements ``summaries(matching:from:direction:limit:now:)`` runs for the first page
    /// of `filter` (newest first), each with its arguments written in as SQL literals
    /// (`sqlite3_expanded_sql`). The planner's own look-ups (the recipient list for a To
    /// pattern, the Subject search's samples) are not among them.
    package func firstPageStatements(matching filter: EmailFilter, limit: Int, now: Date) throws -> [String] {
        let span = filter.dateRange.interval(now: now, timeZone: timeZone)
        return try read { db in
            let queries = try EmailQueryPlanner.plan(db, filter: filter, cursor: nil, direction: .older, limit: limit,
                                                     span: span, summaryColumns: Self.summaryColumns)
            return try queries.map { query in
                let statement = try db.makeStatement(sql: query.sql)
                try statement.setArguments(query.arguments)
                guard let expanded = sqlite3_expanded_sql(statement.sqliteStatement) else { return query.sql }
                defer { sqlite3_free(expanded) }
                return String(cString: expanded)
            }
        }
    }
}
