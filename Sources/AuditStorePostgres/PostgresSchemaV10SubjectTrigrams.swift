import AuditCore

extension PostgresSchema {
    /// Version 10, subject trigrams: the Subject search's index becomes a GIN index of every
    /// three-character run of the subject, ASCII letters folded (`email_subject_trigrams`), in
    /// place of `pg_trgm`'s word trigrams (`emails_subject_trigram`).
    ///
    /// Why: `pg_trgm` splits text into words and drops punctuation, so a text such as "6, R"
    /// or "Ticket #4" leaves it a few common trigrams and hundreds of thousands of candidates
    /// to recheck (at 1,000,000 emails, 462,814 rows read for 2,973 matches). Runs of three
    /// characters, spaces and punctuation included, are what SQLite's FTS5 trigram table
    /// indexes: the candidates of a text are then nearly its matches (for the benchmark's texts
    /// at 1,000,000 emails, equal or within 2%), so a page of a rare text is a few index reads
    /// per month (``PostgresAuditStore/subjectPage(matching:addresses:accountID:from:direction:limit:now:)``).
    ///
    /// The function folds with `lower(… COLLATE "C")`, which folds ASCII letters only, as the
    /// SQLite store's LIKE does (``EmailFilter/subjectMatches(_:)``), so a text's trigrams are
    /// always among the trigrams of every subject that contains it. It is PL/pgSQL (about 7 µs
    /// a subject; the same in SQL with `generate_series` took 190 µs), marked costly so that no
    /// plan computes it for every row of a month instead of reading the index, and parallel
    /// restricted so that no plan starts parallel workers for a page (their start alone cost
    /// ~8 ms a statement).
    static let v10SubjectTrigrams: [String] = [
        """
        CREATE FUNCTION email_subject_trigrams(subject text) RETURNS text[]
            LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL RESTRICTED COST 1000 AS $$
        DECLARE
            folded text := lower(subject COLLATE "C");
            runs text[] := '{}';
        BEGIN
            FOR i IN 1 .. length(folded) - 2 LOOP
                runs := runs || substr(folded, i, 3);
            END LOOP;
            RETURN runs;
        END
        $$
        """,
        // The build reads every email once; more memory than the default 64 MB sorts it in fewer runs.
        "SET LOCAL maintenance_work_mem = '256MB'",
        "DROP INDEX IF EXISTS emails_subject_trigram",
        "CREATE INDEX emails_subject_trigrams ON emails USING gin (email_subject_trigrams(subject))",
    ]
}
