import GRDB

extension Schema {
    /// Version 17: the date index `emails_account_created` also holds the first
    /// ``indexedAddressPrefixLength`` characters of each email's address
    /// (``indexedAddressPrefix``), so that a To `prefix*` checked on the date index (a stem
    /// matching more addresses than are worth a range each, ``ToAddressWalk``) is checked from
    /// the index entries alone: only the rows of the page are read.
    ///
    /// Why: such a page read the rows of the date index newest first until enough addresses
    /// matched, one row read per entry: "joh*" at 5,000,000 emails (242 addresses, 34,733
    /// emails) checked ~7,200 rows for a page (5.7 ms in sqlite3); checked from the entries it
    /// took 1.9 ms (docs/performance.md, "To prefix\* checked on the date index"). The entries
    /// grow by about 10 bytes an email (91.4 → 145.3 MB at 5,000,000). A stem longer than the
    /// indexed prefix is checked on its first characters from the entry, then on the row.
    ///
    /// The index keeps its name, so every query that names it (the list with no status or
    /// raiser, the Subject walk, retention's cut, the late emails' trigger) reads it as before.
    /// Dropped and built again in one statement, with `progress` before, while it reads the
    /// emails and writes the index (``IndexBuildProgress``) and after, then `ANALYZE` (dropping
    /// the index drops its statistics, which ``AuditDatabase/refreshStatisticsIfStale(_:)``
    /// reads).
    static func migrateV17(_ db: Database, progress: (@Sendable (UpgradeProgress) -> Void)?) throws {
        let step = "Adding each address's first letters to the date index"
        let emails = try Int.fetchOne(db, sql: "SELECT count(*) FROM emails") ?? 0
        progress?(UpgradeProgress(step: step, done: 0, total: emails))
        try db.execute(sql: "DROP INDEX emails_account_created")
        try IndexBuildProgress.run(db, sql: v17, rows: emails, step: step, progress: progress)
        try analyze(db)
        progress?(UpgradeProgress(step: step, done: emails, total: emails))
    }

    /// Characters of the address held in each entry of `emails_account_created`
    /// (``indexedAddressPrefix``): most stems typed as a To prefix are shorter, and a longer
    /// one matches few addresses (a range each).
    static let indexedAddressPrefixLength = 8

    /// The expression `emails_account_created` indexes after `created_at` and `id`. A query reads it
    /// from the index (not the row) only when it repeats this expression, so conditions are
    /// built from this constant (``EmailQueryPlanner/dateIndexAddressConditions(_:arguments:)``).
    static let indexedAddressPrefix = "substr(to_address, 1, \(indexedAddressPrefixLength))"

    /// The statement that builds the date index again (``migrateV17(_:progress:)``), after
    /// the old one is dropped. `id` is named before the address's characters so that the
    /// entries stay in (`created_at`, `id`) order, the list's order: after them, SQLite would
    /// sort each run of equal dates by id for every page.
    static let v17 = "CREATE INDEX emails_account_created ON emails(account_id, created_at, id, \(indexedAddressPrefix))"
}
