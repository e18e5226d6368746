import AuditCore
import AuditStore
import AuditStorePostgres
import Foundation

/// What the query benchmark times: the SQLite store's own queries, or a PostgreSQL reader's.
/// Both answer the same calls, so every row of the benchmark times the same filters on either.
protocol QueryTarget {
    /// The backend's name in the benchmark's lines ("SQLite", "PostgreSQL").
    var backendName: String { get }
    /// The p99 target of a first page without search text and of a count, in milliseconds
    /// (issue 13 asks ≤ 10 ms of PostgreSQL at 1,000,000 emails; SQLite's are ≤ 5 ms).
    var pageTarget: Double { get }
    func summaries(matching filter: EmailFilter, from cursor: EmailCursor?, direction: PageDirection,
                   limit: Int, now: Date) throws -> [EmailSummary]
    func statusCounts(matching filter: EmailFilter, now: Date) throws -> StatusCounts
    func domainBreakdown(matching filter: EmailFilter, now: Date) throws -> [DomainFailures]
}

extension AuditDatabase: QueryTarget {
    var backendName: String { "SQLite" }
    var pageTarget: Double { 5 }
}

extension PostgresAuditReader: QueryTarget {
    var backendName: String { "PostgreSQL" }
    var pageTarget: Double { 10 }
}
