import AuditCore

extension PostgresSchema {
    /// Version 9, email statuses: the indexes that hold an email's status move from `emails` to
    /// `email_statuses (account_id, id) → created_at, raised_by_id, status, to_address`, a narrow
    /// table that is not partitioned, so that the ingest's status `UPDATE` of `emails` changes no
    /// indexed column and is a HOT update (no new entry in any of `emails`' indexes, the subject's
    /// trigram index among them). HOT needs room on the row's own page, and one batch updates
    /// most rows of a page at once (emails created together get their events together), so
    /// `emails`' months keep half of each page free (fill factor 50: at 80 only 40-60% of the
    /// updates were HOT, at 50 98%; the table grows less than that suggests, since the updates
    /// no longer leave dead row versions on new pages). At 300,000 emails the ingest went from
    /// ~24,000 to ~27,000-30,000 events/s (docs/postgres.md).
    ///
    /// Triggers on `emails` keep it exact whatever writes the rows: statement triggers add the
    /// inserted rows, remove the deleted ones (as `email_keys`) and copy a changed status,
    /// raiser or address, each one statement for all the rows of the statement that fired it.
    /// Retention's month path drops a partition, which runs no trigger, so it deletes the
    /// month's rows itself first. Every list or count that selects by status reads this table's
    /// indexes and then `emails` by key.
    static let v9EmailStatuses: [String] = [
        """
        CREATE TABLE email_statuses (
            account_id bigint NOT NULL,
            id bigint NOT NULL,
            created_at timestamptz NOT NULL,
            raised_by_id bigint NOT NULL,
            status smallint NOT NULL,
            to_address text NOT NULL,
            PRIMARY KEY (account_id, id)
        )
        """,
        """
        INSERT INTO email_statuses (account_id, id, created_at, raised_by_id, status, to_address)
            SELECT account_id, id, created_at, raised_by_id, status, to_address FROM emails
        """,
        "CREATE INDEX email_statuses_status_created ON email_statuses (account_id, status, created_at, id)",
        "CREATE INDEX email_statuses_raised_status_created ON email_statuses (account_id, raised_by_id, status, created_at, id)",
        """
        CREATE INDEX email_statuses_failure_address ON email_statuses (account_id, status, to_address, created_at)
            WHERE status IN (\(EmailStatus.failed.code), \(EmailStatus.complained.code), \(EmailStatus.rejected.code))
        """,
        "DROP INDEX emails_account_status_created",
        "DROP INDEX emails_raised_status_created",
        "DROP INDEX emails_account_failure_address",
        """
        CREATE FUNCTION email_statuses_added() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO email_statuses (account_id, id, created_at, raised_by_id, status, to_address)
                SELECT account_id, id, created_at, raised_by_id, status, to_address FROM added;
            RETURN NULL;
        END
        $$
        """,
        """
        CREATE FUNCTION email_statuses_removed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            DELETE FROM email_statuses s USING removed r WHERE s.account_id = r.account_id AND s.id = r.id;
            RETURN NULL;
        END
        $$
        """,
        """
        CREATE FUNCTION email_statuses_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE email_statuses s SET status = c.status, raised_by_id = c.raised_by_id, to_address = c.to_address
                FROM changed c
                WHERE s.account_id = c.account_id AND s.id = c.id
                  AND (s.status, s.raised_by_id, s.to_address) IS DISTINCT FROM (c.status, c.raised_by_id, c.to_address);
            RETURN NULL;
        END
        $$
        """,
        """
        CREATE TRIGGER emails_statuses_added AFTER INSERT ON emails REFERENCING NEW TABLE AS added
            FOR EACH STATEMENT EXECUTE FUNCTION email_statuses_added()
        """,
        """
        CREATE TRIGGER emails_statuses_removed AFTER DELETE ON emails REFERENCING OLD TABLE AS removed
            FOR EACH STATEMENT EXECUTE FUNCTION email_statuses_removed()
        """,
        """
        CREATE TRIGGER emails_statuses_changed AFTER UPDATE ON emails REFERENCING NEW TABLE AS changed
            FOR EACH STATEMENT EXECUTE FUNCTION email_statuses_changed()
        """,
        // Room on every page for its rows' status updates to stay on it (HOT): existing months
        // for the pages they add from now on, new months from their first page.
        emailsFillFactor(50),
        monthPartitionsFunction(create: "CREATE OR REPLACE FUNCTION", emailsOptions: " WITH (fillfactor = 50)"),
    ]

    /// Sets every existing month of `emails` to fill factor `percent` (for the pages each adds
    /// from now on; new months take it from `email_audit_create_month_partitions`).
    static func emailsFillFactor(_ percent: Int) -> String {
        """
        DO $$
        DECLARE part text;
        BEGIN
            FOR part IN SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                        WHERE i.inhparent = 'emails'::regclass
            LOOP
                EXECUTE format('ALTER TABLE %I SET (fillfactor = \(percent))', part);
            END LOOP;
        END
        $$
        """
    }
}
