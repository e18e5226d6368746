extension PostgresSchema {
    /// Version 5, change notices: `email_audit_changed()` (version 2's statement trigger on
    /// `emails`, `events`, `account_suppressions` and `email_resends`) also sends a notification
    /// on ``PostgresChangeWatch/channel``, so screens on other machines learn of a write when it
    /// commits without polling (``PostgresChangeWatch``). PostgreSQL folds a transaction's
    /// identical notifications into one and sends them after it commits.
    static let v5ChangeNotices: [String] = [
        """
        CREATE OR REPLACE FUNCTION email_audit_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_advisory_xact_lock_shared(\(changeLockKey));
            PERFORM nextval('store_changes');
            PERFORM pg_notify('\(PostgresChangeWatch.channel)', '');
            RETURN NULL;
        END
        $$
        """,
    ]
}
