import GRDB

/// The planner's statistics (`sqlite_stat1`): kept current so that a count or Failures by
/// domain, which let SQLite choose the index, never picks a wrong one as the store grows.
extension AuditDatabase {
    /// Runs a sampled `ANALYZE` when the store has at least doubled or halved (by emails) since
    /// the last one (SQLite's own `PRAGMA optimize` only looks at the tables one connection
    /// queried, so it would miss a store grown by another process's ingest). Called on every
    /// read-write open (after the migrations), by `compact` and after retention. Reads two
    /// `meta` rows when nothing is stale. Returns whether `ANALYZE` ran.
    @discardableResult
    public func refreshStatisticsIfStale() throws -> Bool {
        let counts = try read { db in
            try Row.fetchOne(db, sql: "SELECT (SELECT value FROM meta WHERE key = ?), (SELECT value FROM meta WHERE key = ?)",
                             arguments: [MetaKey.emailCount, MetaKey.analyzedEmails])
        }
        guard Self.statisticsAreStale(emails: counts?[0] ?? 0, analyzedAt: counts?[1]) else { return false }
        try updateStatistics()
        return true
    }

    /// Runs a sampled `ANALYZE` now (``Schema/analyze(_:)``).
    public func updateStatistics() throws {
        try write { db in try Schema.analyze(db) }
    }

    /// Whether statistics taken at `analyzedAt` emails (nil: never) are stale at `emails`: the
    /// count has doubled or halved, ignoring the first thousand emails.
    static func statisticsAreStale(emails: Int, analyzedAt: Int?) -> Bool {
        guard let analyzedAt else { return true }
        return emails > 2 * analyzedAt + 1000 || 2 * emails + 1000 < analyzedAt
    }
}
