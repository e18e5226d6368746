import GRDB

extension Schema {
    /// Version 13 (migration "v12"): raw provider events may be stored as compact text format 5
    /// (zstd against a dictionary of Mailgun events, ``CompactText``).
    ///
    /// Nothing in the file changes: formats 1, 3 and 4 already stored stay as they are and read
    /// as before. What changes is what new events are written as, and a build that cannot read
    /// format 5 must not open a store that may hold it: such a build does not know this
    /// migration, so it refuses the store as newer (``DatabaseFileCheck``) instead of failing on
    /// the first event it reads.
    static func migrateV12(_ db: Database) throws {}
}
