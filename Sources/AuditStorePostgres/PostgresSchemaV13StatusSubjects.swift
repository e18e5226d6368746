extension PostgresSchema {
    /// Version 13, subjects beside statuses: `email_statuses` (version 9) holds each email's
    /// subject too, kept by the same triggers (an External email's subject filled in later
    /// from its headers is copied as a status change is), so that a Subject page walked by
    /// status checks the text on the statuses' own rows and reads by key only the emails that
    /// hold it.
    ///
    /// Why: walked by status, every row's email was read by key for its subject (~4-6 µs a row
    /// at 1,000,000 emails): "statement" with Failed over 30 days read its 1,387 Failed emails,
    /// or the trigram index's candidates of the 30 days (~7 ms either way), for a page of 50.
    static let v13StatusSubjects: [String] = [
        "ALTER TABLE email_statuses ADD COLUMN subject text NOT NULL DEFAULT ''",
        """
        UPDATE email_statuses s SET subject = e.subject FROM emails e
            WHERE e.account_id = s.account_id AND e.id = s.id AND e.created_at = s.created_at AND e.subject <> ''
        """,
        """
        CREATE OR REPLACE FUNCTION email_statuses_added() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO email_statuses (account_id, id, created_at, raised_by_id, status, to_address, subject)
                SELECT account_id, id, created_at, raised_by_id, status, to_address, subject FROM added;
            RETURN NULL;
        END
        $$
        """,
        """
        CREATE OR REPLACE FUNCTION email_statuses_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE email_statuses s SET status = c.status, raised_by_id = c.raised_by_id, to_address = c.to_address, subject = c.subject
                FROM changed c
                WHERE s.account_id = c.account_id AND s.id = c.id
                  AND (s.status, s.raised_by_id, s.to_address, s.subject) IS DISTINCT FROM (c.status, c.raised_by_id, c.to_address, c.subject);
            RETURN NULL;
        END
        $$
        """,
    ]
}
