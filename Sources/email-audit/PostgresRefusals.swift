/// What the commands that stay SQLite's own say to a PostgreSQL URL: one line each, naming what
/// to use on PostgreSQL instead (the server checks, vacuums and keeps its own time zone).
enum PostgresRefusals {
    /// `check`: SQLite's quick_check and the roll-ups against the emails.
    static let check = "check does not take a PostgreSQL store: the server checks its own pages and indexes; "
        + "use PostgreSQL's amcheck instead (pg_amcheck --heapallindexed DATABASE, or CREATE EXTENSION amcheck and bt_index_check in psql)"

    /// `set-time-zone`: recounting SQLite's daily roll-ups.
    static let setTimeZone = "set-time-zone does not take a PostgreSQL store: its days (partitions and roll-ups) are "
        + "those of the zone it was created in, kept for good; --time-zone changes only how times are shown"
}
