import GRDB

extension Schema {
    /// Version 15: the registry of emails dated out of id order (`emails_late`).
    ///
    /// An email is *late* when an email of its account with a lower id is dated after it
    /// (recorded after that email but dated before it: a status alert dated by the failing event,
    /// as in the demo store; an import, a clock change, an External email taking its first
    /// event's time). Ids follow dates otherwise, so a Subject walk
    /// down the ids (``SubjectWalk``) that fills its page early is exact once it has checked the
    /// late emails past its start, provided the page's last row is not late itself: an email
    /// with a lower id than the walk reached and a later date than that row would make that row
    /// late. Before this registry the walk read the index entries of the page's whole time window
    /// to find such emails (~80,000 entries for a text with a few hundred matches at 1,000,000
    /// emails; docs/performance.md, "The late emails' registry").
    ///
    /// Kept by triggers on `emails`, so every writer keeps it (recording, the ingest's External
    /// emails, imports, retention's deletes). A registry holding an email that is no longer late
    /// (or no longer exists) costs a slower page, never a wrong one; one missing a late email
    /// would lose rows, so the triggers mark generously:
    /// - an insert marks the new email when an email of its account with a lower id is dated
    ///   after it, and marks the account's emails with higher ids dated before it (an insert with
    ///   an explicit, lower id; none in ordinary use);
    /// - an update of `created_at` does the same for the row's new date;
    /// - a delete removes the email's entry.
    ///
    /// The account leads the key, as everywhere. Filled by one pass over `emails` in id order,
    /// with `progress` before and after.
    static func migrateV15(_ db: Database, progress: (@Sendable (UpgradeProgress) -> Void)?) throws {
        let step = "Finding emails dated out of id order"
        let emails = try Int.fetchOne(db, sql: "SELECT count(*) FROM emails") ?? 0
        progress?(UpgradeProgress(step: step, done: 0, total: emails))
        try db.execute(sql: v15)
        // Each account's latest date so far, in id order: an email dated before it is late.
        var latest: [Int64: Int64] = [:]
        var late: [(account: Int64, id: Int64)] = []
        let rows = try Row.fetchCursor(db, sql: "SELECT account_id, id, created_at FROM emails ORDER BY id")
        while let row = try rows.next() {
            let account: Int64 = row[0], id: Int64 = row[1], createdAt: Int64 = row[2]
            if let before = latest[account], createdAt < before {
                late.append((account, id))
            } else {
                latest[account] = createdAt
            }
        }
        let insert = try db.makeStatement(sql: "INSERT OR IGNORE INTO emails_late (account_id, id) VALUES (?, ?)")
        for entry in late { try insert.execute(arguments: [entry.account, entry.id]) }
        progress?(UpgradeProgress(step: step, done: emails, total: emails))
    }

    /// The registry's table and triggers (``migrateV15(_:progress:)``). The trigger statements
    /// read `emails` by index only: the newest-dated email of the account below the new id on
    /// `emails_account_created` (usually the second entry read), and the ids above it by rowid
    /// (none, for an email given the next id).
    static let v15 = """
        CREATE TABLE emails_late (
            account_id INTEGER NOT NULL,
            id INTEGER NOT NULL,
            PRIMARY KEY (account_id, id)
        ) WITHOUT ROWID;
        CREATE TRIGGER emails_late_after_insert AFTER INSERT ON emails BEGIN
            \(lateMarks)
        END;
        CREATE TRIGGER emails_late_after_update AFTER UPDATE OF created_at ON emails BEGIN
            \(lateMarks)
        END;
        CREATE TRIGGER emails_late_after_delete AFTER DELETE ON emails BEGIN
            DELETE FROM emails_late WHERE account_id = old.account_id AND id = old.id;
        END;
        """

    /// The two marks of an inserted or re-dated email `new` (see ``migrateV15(_:progress:)``).
    private static let lateMarks = """
        INSERT OR IGNORE INTO emails_late (account_id, id)
                SELECT new.account_id, new.id
                WHERE new.created_at < (SELECT created_at FROM emails INDEXED BY emails_account_created
                                        WHERE account_id = new.account_id AND id < new.id
                                        ORDER BY created_at DESC LIMIT 1);
            INSERT OR IGNORE INTO emails_late (account_id, id)
                SELECT account_id, id FROM emails
                WHERE id > new.id AND +account_id = new.account_id AND +created_at < new.created_at;
        """
}
