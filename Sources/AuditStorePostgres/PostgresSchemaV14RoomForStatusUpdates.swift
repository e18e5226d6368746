extension PostgresSchema {
    /// Version 14, room for every status update: `emails`' months keep 55% of each page free
    /// (fill factor 45, was 50 since version 9), existing months for the pages they add from now
    /// on, new months from their first page.
    ///
    /// Why: the ingest's status update of an email (status, detail, last event) stays on the row's
    /// own page (HOT, version 9) only while the page has room for the new version, and one batch
    /// updates most rows of a page at once (emails created together get their events together)
    /// while the versions it replaces cannot be pruned before it commits. A new version is wider
    /// than the old (a Pending email has no status detail; ~80 bytes once it has one), so at fill
    /// factor 50 the last rows of a full page did not fit: 2.7% of the updates at 1,000,000
    /// emails went to another page, and each of those wrote a new entry into every index of
    /// `emails`, the ~40 keys of the search index among them (written in place since version
    /// 12): GIN inserts were 4% of the ingest's CPU time (perf). At 45 a page of rows as wide as
    /// the benchmark's has room for a wider version of each of them.
    ///
    /// Cost: `emails`' months are larger (at 1,000,000 emails 1,002 → 1,081 bytes per email of
    /// table, +8%).
    static let v14RoomForStatusUpdates: [String] = [
        emailsFillFactor(45),
        monthPartitionsFunction(create: "CREATE OR REPLACE FUNCTION", emailsOptions: " WITH (fillfactor = 45)",
                                emailsCreated: searchKeysInPlaceForNewMonth),
    ]
}
