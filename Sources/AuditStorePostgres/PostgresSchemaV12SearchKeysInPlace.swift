extension PostgresSchema {
    /// Version 12, search keys written in place: every month's part of the search index
    /// (`emails_search_keys`, version 11) is written as emails are recorded
    /// (`fastupdate = off`), not gathered in a pending list that a later insert or vacuum
    /// merges; the pending lists of the months already there are merged now, and each new month
    /// gets the setting when `email_audit_create_month_partitions` creates it (a partitioned
    /// index takes no storage setting, and its months are created from it without one).
    ///
    /// Why: a pending list is read whole by every search of its month, and the planner prices it
    /// in. After 1,000,000 emails were copied in, months with 189-190 pending pages priced their
    /// index read at ~790 against ~13 to ~240 for months without one, so the Subject window
    /// statements' generic plan read those months through the date index instead and computed
    /// the keys of every email (~420 ms a month: 3.8 s for one page beside a raiser, 57 ms with
    /// the months' own plans). With the lists merged the same plan reads every month through the
    /// index (0.1 ms for the month that took 420). Live, the current month's list grows with
    /// every email recorded, so the month searched most would be the one to flip.
    ///
    /// The cost moves to recording: each email's ~40 keys go into the index as it is inserted.
    static let v12SearchKeysWrittenInPlace: [String] = [
        """
        CREATE FUNCTION email_audit_search_keys_in_place(part regclass) RETURNS void LANGUAGE plpgsql AS $$
        DECLARE part_index regclass;
        BEGIN
            FOR part_index IN SELECT i.inhrelid::regclass FROM pg_inherits i JOIN pg_index x ON x.indexrelid = i.inhrelid
                              WHERE i.inhparent = 'emails_search_keys'::regclass AND x.indrelid = part
            LOOP
                EXECUTE format('ALTER INDEX %s SET (fastupdate = off)', part_index);
                PERFORM gin_clean_pending_list(part_index);
            END LOOP;
        END
        $$
        """,
        """
        DO $$
        DECLARE part regclass;
        BEGIN
            FOR part IN SELECT i.inhrelid::regclass FROM pg_inherits i WHERE i.inhparent = 'emails'::regclass
            LOOP
                PERFORM email_audit_search_keys_in_place(part);
            END LOOP;
        END
        $$
        """,
        monthPartitionsFunction(create: "CREATE OR REPLACE FUNCTION", emailsOptions: " WITH (fillfactor = 50)",
                                emailsCreated: searchKeysInPlaceForNewMonth),
    ]

    /// What `email_audit_create_month_partitions` runs after it creates a month of `emails`
    /// (since version 12): the month's part of the search index written in place.
    static let searchKeysInPlaceForNewMonth = "\n        PERFORM email_audit_search_keys_in_place(('emails_' || suffix)::regclass);"
}
