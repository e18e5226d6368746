extension PostgresSchema {
    /// Version 8, email keys: `email_keys (account_id, id) → created_at`, one row per email in a
    /// table that is not partitioned, so that a look-up by id alone (a webhook's audit id, the
    /// View of one email, a hand-over) probes one index and then only the email's own month.
    /// Without it such a look-up probes every month partition of `emails`: at 1,000,000 emails
    /// over 39 months about 220 ms per 4,000 audit ids in the ingest (docs/postgres.md).
    ///
    /// Statement triggers on `emails` keep it exact whatever writes the rows (recording, the
    /// ingest's own emails, moving in, a hand-over merge, retention's batch path): every insert
    /// adds its rows' keys, every delete removes them, in the same statement's transaction.
    /// Retention's month path drops a partition, which runs no trigger, so it deletes the
    /// month's keys itself first. An email's id, account and creation time never change.
    static let v8EmailKeys: [String] = [
        """
        CREATE TABLE email_keys (
            account_id bigint NOT NULL,
            id bigint NOT NULL,
            created_at timestamptz NOT NULL,
            PRIMARY KEY (account_id, id)
        )
        """,
        "INSERT INTO email_keys (account_id, id, created_at) SELECT account_id, id, created_at FROM emails",
        """
        CREATE FUNCTION email_keys_added() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO email_keys (account_id, id, created_at) SELECT account_id, id, created_at FROM added;
            RETURN NULL;
        END
        $$
        """,
        """
        CREATE FUNCTION email_keys_removed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            DELETE FROM email_keys k USING removed r WHERE k.account_id = r.account_id AND k.id = r.id;
            RETURN NULL;
        END
        $$
        """,
        """
        CREATE TRIGGER emails_keys_added AFTER INSERT ON emails REFERENCING NEW TABLE AS added
            FOR EACH STATEMENT EXECUTE FUNCTION email_keys_added()
        """,
        """
        CREATE TRIGGER emails_keys_removed AFTER DELETE ON emails REFERENCING OLD TABLE AS removed
            FOR EACH STATEMENT EXECUTE FUNCTION email_keys_removed()
        """,
    ]
}
