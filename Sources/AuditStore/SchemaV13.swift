import GRDB

extension Schema {
    /// Version 13: a smaller `emails` row and message index.
    ///
    /// - `emails.status_detail` is written in its positional form
    ///   (``StorageEncoding/statusDetailJSON(_:)``: a JSON array without field names), about half
    ///   the bytes of version 1's object. SQL that reads one field uses its position
    ///   (``StorageEncoding/StatusDetailPosition``), e.g. the suppression list's
    ///   `json_extract(status_detail, '$[8]')` for the reason.
    /// - `emails.message_hash` (``MessageIDHash``) with the partial index `emails_message_hash`
    ///   on `(message_hash)` replaces the unique index `emails_message_recipient` on
    ///   `(provider_message_id, to_address)`. Queries: the ingest's lookup of an event's email by
    ///   (message id, recipient) and of a message's first email (``EventIngest``), the hand-over's
    ///   duplicate check (``AuditDatabase/recordHandOvers(_:)``) and `show --message-id`; each
    ///   compares the whole message id (and recipient) on a hash match. Uniqueness of (message
    ///   id, recipient) is kept by those writers, which look the pair up before they write it.
    ///
    /// - `senders` (account, From header) with `emails.sender_id` naming it replaces the text
    ///   column `emails.from_address` (``Senders``): an account sends from a handful of From
    ///   headers (~45 bytes each). The unique index `senders_account_address` is the writers'
    ///   lookup (``SenderIDs``); readers select the address by the row's id.
    ///
    /// All three are written in batches of `batchSize` rows, reporting `progress` after each.
    /// Self-contained: it reads only what version 1 made.
    static func migrateV13(_ db: Database, batchSize: Int64 = 100_000,
                           progress: (@Sendable (UpgradeProgress) -> Void)?) throws {
        try db.execute(sql: """
            DROP INDEX IF EXISTS emails_message_recipient;
            ALTER TABLE emails ADD COLUMN message_hash INTEGER;
            CREATE TABLE senders (
                id INTEGER PRIMARY KEY,
                account_id INTEGER NOT NULL REFERENCES accounts(id),
                address TEXT NOT NULL
            );
            CREATE UNIQUE INDEX senders_account_address ON senders(account_id, address);
            INSERT INTO senders (account_id, address)
                SELECT DISTINCT account_id, from_address FROM emails ORDER BY account_id, from_address;
            ALTER TABLE emails ADD COLUMN sender_id INTEGER REFERENCES senders(id);
            """)
        let hash = DatabaseFunction("email_audit_message_hash", argumentCount: 1, pure: true) { values in
            String.fromDatabaseValue(values[0]).map(MessageIDHash.of)
        }
        let detail = DatabaseFunction("email_audit_positional_detail", argumentCount: 1, pure: true) { values in
            guard let text = String.fromDatabaseValue(values[0]) else { return nil }
            // Text that is not a version 1 detail is kept as it was (no row is known to hold any).
            guard let decoded = StorageEncoding.decodeStatusDetailObject(text) else { return text }
            return StorageEncoding.statusDetailJSON(decoded)
        }
        db.add(function: hash)
        db.add(function: detail)
        defer {
            db.remove(function: hash)
            db.remove(function: detail)
        }
        try updateInBatches(db, table: "emails", step: "Compacting emails", batchSize: batchSize, progress: progress, sql: """
                UPDATE emails SET message_hash = email_audit_message_hash(provider_message_id),
                                  status_detail = email_audit_positional_detail(status_detail),
                                  sender_id = (SELECT s.id FROM senders s
                                               WHERE s.account_id = emails.account_id AND s.address = emails.from_address)
                """)
        // Rewrites the table once more, without the text.
        try db.execute(sql: """
            ALTER TABLE emails DROP COLUMN from_address;
            CREATE INDEX emails_message_hash ON emails(message_hash) WHERE message_hash IS NOT NULL;
            """)
    }
}
