extension PostgresSchema {
    /// Version 4, "moving in" (`email-audit migrate`, ``PostgresStoreCopy``):
    ///
    /// - `staff.is_system`: the SQLite store's `staff.is_external` has two kinds of staff record
    ///   nobody signs in as, 1 External and 2 System (the sender of notification emails); v1's
    ///   boolean `is_external` holds the first, `is_system` the second, each at most once per
    ///   account (`staff_system`, as `staff_external`).
    /// - `migration_progress`: one row per copied table of a copy from a SQLite store: the copy
    ///   key of the last row copied (a JSON array), the rows copied and whether the table is
    ///   done. Each chunk of rows commits with its row here, so a copy stopped at any point
    ///   (even `kill -9`) continues after the last committed chunk without duplicating rows.
    ///   The source store's fingerprint is `store_meta.copied_from`.
    static let v4MovingIn: [String] = [
        "ALTER TABLE staff ADD COLUMN is_system boolean NOT NULL DEFAULT false",
        "CREATE UNIQUE INDEX staff_system ON staff (account_id) WHERE is_system",
        """
        CREATE TABLE migration_progress (
            source_table text PRIMARY KEY,
            last_key text,
            rows_copied bigint NOT NULL DEFAULT 0,
            done boolean NOT NULL DEFAULT false
        )
        """,
    ]
}
