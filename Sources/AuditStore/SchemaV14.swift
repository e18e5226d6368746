import GRDB

extension Schema {
    /// Version 14: the failures index's condition without an `IN` list.
    ///
    /// `emails_account_failure_address` (version 9: Failed, Complained and Rejected emails, for
    /// Failures by domain) keeps the same rows, but its condition is now
    /// ``EmailQueryPlanner/failureStatusCondition`` `(status = 6 OR status = 7 OR status = 9)`
    /// instead of `status IN (6, 7, 9)`. SQLite evaluates a partial index's condition for the old
    /// and the new row of every `UPDATE` that sets `status`, and it codes a constant `IN` list of
    /// more than two values with an ephemeral table built each time: two per email the ingest
    /// re-derives. (In the `sqlite3` shell, 200,000 status updates on a 200,000-email store took
    /// 3.13 s of CPU with the list, 2.73 s with the ORs; docs/performance.md.) Failures by domain
    /// still reads the index with one seek per status: SQLite turns the query's ORs into an `IN`.
    ///
    /// Rebuilding the index reads every email once; `progress` hears of it before and after.
    static func migrateV14(_ db: Database, progress: (@Sendable (UpgradeProgress) -> Void)?) throws {
        let step = "Rebuilding the failures index"
        let emails = try Int.fetchOne(db, sql: "SELECT count(*) FROM emails") ?? 0
        progress?(UpgradeProgress(step: step, done: 0, total: emails))
        try db.execute(sql: """
            DROP INDEX IF EXISTS emails_account_failure_address;
            CREATE INDEX emails_account_failure_address ON emails(account_id, status, to_address, created_at)
                WHERE \(EmailQueryPlanner.failureStatusCondition);
            ANALYZE emails_account_failure_address;
            """)
        progress?(UpgradeProgress(step: step, done: emails, total: emails))
    }
}
