import GRDB

extension Schema {
    /// Version 10: yearly roll-ups, so a count over "All dates" (or any span of whole years)
    /// sums one row per year × status × raiser instead of one per month: it costs the same at
    /// ten years as at one. Kept in the same transaction as the daily and monthly roll-ups
    /// (``RollupDeltas/apply(_:)``); always equal to the sum of the monthly roll-ups of that year.
    ///
    /// The migration fills the table from `rollups_monthly` (a few hundred rows per month, so
    /// it takes milliseconds even at ten million emails): a store written by version 9 answers
    /// every count exactly as before. Self-contained: it reads only version 2's monthly table.
    static let v10 = """
        -- Counts per local year x status x raised by x account (the month column of
        -- rollups_monthly divided by 12), always equal to the sum of that year's monthly roll-ups.
        CREATE TABLE IF NOT EXISTS rollups_yearly (
            account_id INTEGER NOT NULL,
            year INTEGER NOT NULL,
            raised_by_id INTEGER NOT NULL,
            status INTEGER NOT NULL,
            count INTEGER NOT NULL,
            PRIMARY KEY (account_id, year, raised_by_id, status)
        ) WITHOUT ROWID;
        DELETE FROM rollups_yearly;
        INSERT INTO rollups_yearly (account_id, year, raised_by_id, status, count)
            SELECT account_id, month / 12, raised_by_id, status, sum(count) FROM rollups_monthly
            GROUP BY account_id, month / 12, raised_by_id, status HAVING sum(count) <> 0;
        """
}
