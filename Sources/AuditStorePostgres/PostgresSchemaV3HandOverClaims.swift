extension PostgresSchema {
    /// Version 3 (the feeder queue, issue 13): the table of hand-over claims, so that several
    /// feeders (several `serve` processes on one database) hand each Pending email over once
    /// (``PostgresAuditStore/claimPending(limit:accounts:claimant:now:lease:)``).
    ///
    /// A claim is one row per claimed email: who holds it (`claimed_by`, one id per feeder) and
    /// until when (`claimed_until`, the lease). The primary key allows one claim per email; a
    /// claim whose lease ended is taken over in place (`ON CONFLICT ... DO UPDATE ... WHERE
    /// claimed_until <= now`). Marking an email handed over or releasing a feeder's claims
    /// deletes the rows, so the table holds only the batches in flight (and the leases of
    /// feeders that died, until the next claim clears them). The emails themselves are not
    /// changed by a claim: no column is added to the partitioned `emails`.
    ///
    /// Retention: like `email_units`, these rows name an email with its creation time and
    /// must be deleted before that month's partition is detached.
    static let v3HandOverClaims: [String] = [
        """
        CREATE TABLE hand_over_claims (
            account_id bigint NOT NULL,
            email_id bigint NOT NULL,
            email_created_at timestamptz NOT NULL,
            claimed_by text NOT NULL,
            claimed_until timestamptz NOT NULL,
            PRIMARY KEY (account_id, email_id),
            FOREIGN KEY (account_id, email_id, email_created_at) REFERENCES emails (account_id, id, created_at) ON DELETE CASCADE
        )
        """,
        // Releasing one feeder's claims; clearing ended leases.
        "CREATE INDEX hand_over_claims_claimant ON hand_over_claims (claimed_by)",
        "CREATE INDEX hand_over_claims_until ON hand_over_claims (claimed_until)",
    ]
}
