extension PostgresSchema {
    /// The advisory lock key every transaction that changes what screens show holds (shared)
    /// until it ends, taken by the `email_audit_changed` triggers; ``PostgresChangeToken`` reads
    /// whether anyone holds it.
    static let changeLockKey: Int64 = 0x456D_4177

    /// Version 2: what the reader needs beyond the tables of version 1.
    ///
    /// - `hand_over_outcomes`: the batch feeder's last success and last failure (SQLite keeps
    ///   them in `meta`), one row each. The feeder hands over every account's emails, so the
    ///   rows belong to no account.
    /// - The change token (``PostgresChangeToken``): the sequence `store_changes`, advanced by a
    ///   statement trigger on every table whose changes screens show (`emails`, `events`,
    ///   `account_suppressions`, `email_resends`), which also takes the shared advisory lock
    ///   ``changeLockKey`` until its transaction ends. A sequence is not a row: many writers
    ///   advance it without waiting for each other (a counter row would serialise them).
    static let v2: [String] = [
        """
        CREATE TABLE hand_over_outcomes (
            outcome text PRIMARY KEY CHECK (outcome IN ('success', 'failure')),
            at timestamptz NOT NULL
        )
        """,
        "CREATE SEQUENCE store_changes AS bigint",
        """
        CREATE FUNCTION email_audit_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_advisory_xact_lock_shared(\(changeLockKey));
            PERFORM nextval('store_changes');
            RETURN NULL;
        END
        $$
        """,
    ] + ["emails", "events", "account_suppressions", "email_resends"].map { table in
        """
        CREATE TRIGGER \(table)_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON \(table)
            FOR EACH STATEMENT EXECUTE FUNCTION email_audit_changed()
        """
    }
}
