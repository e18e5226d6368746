import GRDB

/// How far a long schema upgrade has got (for a progress line; migrations v11 and v13 are long).
public struct UpgradeProgress: Sendable, Equatable {
    /// What is being done, e.g. "Indexing event keys".
    public let step: String
    /// Rows done so far.
    public let done: Int
    /// Rows in all.
    public let total: Int
}

extension Schema {
    /// Version 11: smaller event-key index, and the indexes retention's deletes need.
    ///
    /// - `events.key_hash` (``EventKeyHash``) with the index `events_email_key_hash` on
    ///   `(email_id, key_hash)` replaces the unique index `events_email_key` on
    ///   `(email_id, event_key)`: about 20 bytes per event instead of about 80 (the key is
    ///   ~60 bytes of text). The key stays in the row (the derivation's tie-break reads it), now
    ///   without the event id and kind the row already holds (``StoredEventKey``: about half
    ///   its bytes), and the ingest compares the whole key on a hash match, so the dedupe is
    ///   as exact as before.
    ///   Query: the ingest's insert (``EventInsert``) and reading one email's events
    ///   (`WHERE email_id = ?`).
    /// - `email_resends_original_id` on `email_resends(original_id)` and
    ///   `contact_changes_resend` on `contact_changes(resend_id)`: deleting an email (retention)
    ///   makes SQLite find the rows whose foreign keys name it (ON DELETE CASCADE / SET NULL);
    ///   without an index with that column first, each delete scanned both tables.
    ///
    /// The hashes are written in batches of `batchSize` rows, reporting `progress` after each.
    /// Self-contained: it reads only what version 1 made (plus v6's tables for the two indexes).
    static func migrateV11(_ db: Database, batchSize: Int64 = 100_000,
                           progress: (@Sendable (UpgradeProgress) -> Void)?) throws {
        // The old unique index goes first: keys lose their id and kind, so two of one email's
        // events may store the same shortened text.
        try db.execute(sql: """
            DROP INDEX IF EXISTS events_email_key;
            ALTER TABLE events ADD COLUMN key_hash INTEGER NOT NULL DEFAULT 0;
            """)
        let hash = DatabaseFunction("email_audit_event_key_hash", argumentCount: 1, pure: true) { values in
            String.fromDatabaseValue(values[0]).map(EventKeyHash.of)
        }
        let stored = DatabaseFunction("email_audit_stored_event_key", argumentCount: 3, pure: true) { values in
            guard let key = String.fromDatabaseValue(values[0]) else { return nil }
            return StoredEventKey.stored(key, providerEventID: String.fromDatabaseValue(values[1]) ?? "",
                                         kind: String.fromDatabaseValue(values[2]) ?? "")
        }
        db.add(function: hash)
        db.add(function: stored)
        defer {
            db.remove(function: hash)
            db.remove(function: stored)
        }
        try updateInBatches(db, table: "events", step: "Indexing event keys", batchSize: batchSize, progress: progress, sql: """
                UPDATE events SET key_hash = email_audit_event_key_hash(event_key),
                                  event_key = email_audit_stored_event_key(event_key, provider_event_id, kind)
                """)
        try db.execute(sql: """
            CREATE INDEX events_email_key_hash ON events(email_id, key_hash);
            CREATE INDEX IF NOT EXISTS email_resends_original_id ON email_resends(original_id);
            CREATE INDEX IF NOT EXISTS contact_changes_resend ON contact_changes(resend_id);
            """)
    }

    /// Runs `sql`, an `UPDATE table SET …` without a WHERE clause, over `table` in id ranges of
    /// `batchSize` rows (`WHERE id > ? AND id <= ?` is appended), reporting `progress` as `step`
    /// after each range: the long upgrades (v11, v13) rewrite one row per event or email.
    static func updateInBatches(_ db: Database, table: String, step: String, batchSize: Int64,
                                progress: (@Sendable (UpgradeProgress) -> Void)?, sql: String) throws {
        let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? 0
        let maxID = try Int64.fetchOne(db, sql: "SELECT max(id) FROM \(table)") ?? 0
        var done = 0
        var from: Int64 = 0
        progress?(UpgradeProgress(step: step, done: 0, total: total))
        while from < maxID {
            let to = from + batchSize
            try db.execute(sql: sql + " WHERE id > ? AND id <= ?", arguments: [from, to])
            done += db.changesCount
            from = to
            progress?(UpgradeProgress(step: step, done: done, total: total))
        }
    }
}
