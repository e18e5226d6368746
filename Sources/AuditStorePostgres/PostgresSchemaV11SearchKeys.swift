import AuditCore

extension PostgresSchema {
    /// Version 11, search keys: the Subject search's GIN index holds, beside every
    /// three-character run of the subject (version 10's `email_subject_trigrams`), the email's
    /// raiser and domain as two keys of their own (``PostgresSearchKeys``), so that a Subject
    /// search beside Raised by or `*@domain` asks the index for both at once.
    ///
    /// Why: a text whose trigrams every one of its matches shares with many other subjects
    /// ("at Wright W": 7,141 candidates for 702 matches at 1,000,000 emails) left a page
    /// beside one raiser (23 of them) to read all 7,141 rows and drop 30 in 31 (~14 ms over
    /// every month); with the raiser's key the index returns 254 (~4 ms), and beside
    /// `*@hotmail.com` 420. Measured in psql on the benchmark's 1,000,000-email store
    /// (06/12/2026 session notes in docs/postgres.md).
    ///
    /// The account is not a key: its posting list holds every email of the account, and
    /// reading it beside the trigrams doubled a read's time in a one-account store; the
    /// account is checked on the candidates. The keys start with U+0001 and are longer than
    /// three characters, so that none can equal a trigram (``PostgresSearchKeys``). None of the
    /// three columns changes after an email is recorded, so status updates stay HOT.
    static let v11SearchKeys: [String] = [
        """
        CREATE FUNCTION email_search_keys(subject text, raised_by_id bigint, to_domain text) RETURNS text[]
            LANGUAGE plpgsql IMMUTABLE PARALLEL RESTRICTED COST 1000 AS $$
        BEGIN
            RETURN ARRAY[chr(1) || 'raiser:' || coalesce(raised_by_id::text, ''), chr(1) || 'domain:' || coalesce(to_domain, '')]
                || coalesce(email_subject_trigrams(subject), '{}');
        END
        $$
        """,
        "SET LOCAL maintenance_work_mem = '256MB'",
        "DROP INDEX IF EXISTS emails_subject_trigrams",
        "CREATE INDEX emails_search_keys ON emails USING gin (email_search_keys(subject, raised_by_id, to_domain))",
    ]
}

/// The keys of an email's raiser and domain in the search index (schema version 11's
/// `email_search_keys`, which builds the same strings in SQL; `PostgresSearchKeysTests` checks
/// that they agree).
enum PostgresSearchKeys {
    /// The index expression, as every statement that reads the index writes it.
    static func expression(alias: String) -> String {
        "email_search_keys(\(alias).subject, \(alias).raised_by_id, \(alias).to_domain)"
    }

    /// The key of the staff member who raised the email.
    static func raiser(_ id: Int64) -> String {
        "\u{1}raiser:\(id)"
    }

    /// The key of the domain of the email's address (`to_domain`, as stored).
    static func domain(_ domain: String) -> String {
        "\u{1}domain:\(domain)"
    }
}
