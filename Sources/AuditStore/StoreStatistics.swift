import GRDB

/// The planner's statistics (`sqlite_stat1`): kept current so that a count or Failures by
/// domain, which let SQLite choose the index, never picks a wrong one as the store grows.
extension AuditDatabase {
    /// Runs a sampled `ANALYZE` in `db`'s write transaction when the emails have doubled or
    /// halved since the last one (the count it saw is the first number of `emails_account_created`'s
    /// row of `sqlite_stat1`). SQLite's own `PRAGMA optimize` only looks at the tables one connection
    /// queried, so it would miss a store grown by another process's ingest; checking here, where
    /// every write that adds or deletes emails passes, costs two small reads per transaction and
    /// an `ANALYZE` of a few milliseconds once per doubling. Returns whether it ran.
    @discardableResult
    func refreshStatisticsIfStale(_ db: Database) throws -> Bool {
        let emails = try Int.fetchOne(db.cachedStatement(sql: "SELECT value FROM meta WHERE key = ?"), arguments: [MetaKey.emailCount]) ?? 0
        guard Self.statisticsAreStale(emails: emails, analyzedAt: try Self.analyzedEmails(db)) else { return false }
        try Schema.analyze(db)
        return true
    }

    /// The emails the last `ANALYZE` saw (nil: never run, or no emails then).
    static func analyzedEmails(_ db: Database) throws -> Int? {
        guard try Bool.fetchOne(db.cachedStatement(sql: "SELECT count(*) > 0 FROM sqlite_master WHERE name = 'sqlite_stat1'")) == true,
              let stat = try String.fetchOne(db.cachedStatement(sql: "SELECT stat FROM sqlite_stat1 WHERE tbl = 'emails' AND idx = 'emails_account_created'")) else { return nil }
        return Int(stat.prefix { $0 != " " })
    }

    /// Runs a sampled `ANALYZE` now (``Schema/analyze(_:)``).
    public func updateStatistics() throws {
        try write { db in try Schema.analyze(db) }
    }

    /// Whether statistics taken at `analyzedAt` emails (nil: never) are stale at `emails`: the
    /// count has doubled or halved, ignoring the first thousand emails.
    static func statisticsAreStale(emails: Int, analyzedAt: Int?) -> Bool {
        guard let analyzedAt else { return emails > 1000 }
        return emails > 2 * analyzedAt + 1000 || 2 * emails + 1000 < analyzedAt
    }
}
