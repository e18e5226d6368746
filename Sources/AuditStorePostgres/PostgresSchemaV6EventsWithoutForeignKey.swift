extension PostgresSchema {
    /// Version 6, events without a foreign key to emails: the key's check ran once per inserted
    /// event through the partitioned `emails` (pruning to the email's month each time) and cost
    /// about seven times the insert itself (57,904 events: 3.8-4.3 s with it, 0.5-0.7 s without,
    /// docs/postgres.md). What it guarded is kept by the writers instead: the ingest inserts events
    /// only for emails whose rows it holds locked (`FOR UPDATE`) in the same transaction, a
    /// hand-over merge moves an email's events before it deletes the email, and retention deletes
    /// (or drops with their month) the events of the emails it deletes.
    static let v6EventsWithoutForeignKey: [String] = [
        """
        DO $$
        DECLARE fk text;
        BEGIN
            FOR fk IN
                SELECT conname FROM pg_constraint
                WHERE conrelid = 'events'::regclass AND confrelid = 'emails'::regclass
                  AND contype = 'f' AND conparentid = 0
            LOOP
                EXECUTE format('ALTER TABLE events DROP CONSTRAINT %I', fk);
            END LOOP;
        END
        $$
        """,
    ]
}
