extension Schema {
    /// Version 4, for `serve`: the host system's own id of each email it recorded through the
    /// intake (unique per account, so a retried request finds the email it already made), and the
    /// webhook tokens already seen with the digest of the body each first carried.
    static let v4 = """
        ALTER TABLE emails ADD COLUMN host_id TEXT;
        CREATE UNIQUE INDEX emails_account_host ON emails(account_id, host_id) WHERE host_id IS NOT NULL;

        CREATE TABLE webhook_tokens (
            token TEXT PRIMARY KEY NOT NULL,
            body_sha256 TEXT NOT NULL,
            received_at INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX webhook_tokens_received ON webhook_tokens(received_at);
        """
}
