import GRDB

extension Schema {
    /// Version 7: resends. `email_resends` links each resend to the email it resends, both
    /// ways (by original and by resend), with who resent it, when, the original's and the new
    /// To, and how many contact records were moved to the new address; `contact_changes`
    /// records each such contact change. Self-contained: it reads only what v1 and v5 made.
    static let v7 = """
        CREATE TABLE email_resends (
            resend_id INTEGER PRIMARY KEY REFERENCES emails(id) ON DELETE CASCADE,
            account_id INTEGER NOT NULL REFERENCES accounts(id),
            original_id INTEGER NOT NULL REFERENCES emails(id) ON DELETE CASCADE,
            at INTEGER NOT NULL,
            user_id INTEGER,
            user_name TEXT NOT NULL,
            original_to TEXT NOT NULL,
            to_address TEXT NOT NULL,
            contacts_updated INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX email_resends_original ON email_resends(account_id, original_id);

        CREATE TABLE contact_changes (
            id INTEGER PRIMARY KEY,
            account_id INTEGER NOT NULL REFERENCES accounts(id),
            contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
            at INTEGER NOT NULL,
            old_email TEXT NOT NULL,
            new_email TEXT NOT NULL,
            user_id INTEGER,
            user_name TEXT NOT NULL,
            resend_id INTEGER REFERENCES emails(id) ON DELETE SET NULL
        );
        CREATE INDEX contact_changes_contact ON contact_changes(account_id, contact_id, at);
        """
}
