import GRDB

extension Schema {
    /// Version 9: indexes that earn their keep. Every query the screen, the CLI, the feeder and
    /// the notifications run names its account, so version 1's account-less indexes
    /// `emails_created` (created_at) and `emails_status_created` (status, created_at) are
    /// dropped: `emails_account_created` and `emails_account_status_created` answer the same
    /// ranges per account (an account-less list is merged from one range per account), and
    /// each dropped index was one more B-tree written per email recorded and per status change.
    ///
    /// `emails_account_failure_address` is a partial covering index of the failed, complained
    /// and rejected emails only (a few per cent of the store) in (account, status, address,
    /// date) order: Failures by domain (`D`) counts from its entries alone, where the
    /// (account, status, date) ranges read every failed row. Its `WHERE` lists the three
    /// ``AuditCore/EmailStatus/code``s; a query uses it only when it repeats that condition
    /// word for word (``EmailQueryPlanner/failureStatusCondition``). Version 14 writes the
    /// condition as ORs of the same codes (``Schema/migrateV14(_:progress:)``).
    ///
    /// The `emails` indexes left and the queries that need them (EXPLAIN QUERY PLAN in
    /// `IndexUseTests`):
    /// - `emails_message_recipient` (partial, unique): ingest's lookup of an event's email by
    ///   message id and recipient; `show`/`resend` by message id. (Replaced in v13 by
    ///   `emails_message_hash`, which serves the same queries.)
    /// - `emails_account_created`: the list with no status or raiser chosen; the Subject search's
    ///   sample of the newest subjects; retention's cut.
    /// - `emails_account_status_created`: the list for one status (one range per status).
    /// - `emails_raised_created`, `emails_raised_status_created`: the list for chosen raisers.
    /// - `emails_to_created`: To exact and prefix; Unit Search and the suppression list's counts.
    /// - `emails_account_domain_created` (v3): To `*@domain`.
    /// - `emails_pending` (partial): the batch feeder's queue and the hand-over warning.
    /// - `emails_account_host` (server): intake's idempotent host ids.
    /// - `emails_account_failure_address` (partial, covering): Failures by domain.
    ///
    /// Statistics: the migration runs `ANALYZE` (sampled: `analysis_limit`), and the write that
    /// doubles or halves the emails since repeats it (``AuditDatabase/refreshStatisticsIfStale(_:)``),
    /// as does `compact`, so the planner's choice of index for the counts follows the store's size.
    /// Self-contained: it reads only the `emails` table of version 1.
    static let v9 = """
        DROP INDEX IF EXISTS emails_created;
        DROP INDEX IF EXISTS emails_status_created;
        CREATE INDEX IF NOT EXISTS emails_account_failure_address ON emails(account_id, status, to_address, created_at)
            WHERE status IN (6, 7, 9);
        """

    /// Rows read per index by a sampled `ANALYZE` (SQLite's `analysis_limit`): enough for the
    /// planner's choices, and milliseconds even at ten million emails.
    static let analysisLimit = 2000

    /// Runs a sampled `ANALYZE` (``analysisLimit`` rows per index).
    static func analyze(_ db: Database) throws {
        try db.execute(sql: "PRAGMA analysis_limit = \(analysisLimit)")
        try db.execute(sql: "ANALYZE")
    }
}
