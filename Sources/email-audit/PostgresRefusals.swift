/// What the commands that stay SQLite's own say to a PostgreSQL URL: one line each, naming what
/// to use on PostgreSQL instead (the store keeps the time zone it was created in).
enum PostgresRefusals {
    /// `set-time-zone`: recounting SQLite's daily roll-ups.
    static let setTimeZone = "set-time-zone does not take a PostgreSQL store: its days (partitions and roll-ups) are "
        + "those of the zone it was created in, kept for good; --time-zone changes only how times are shown"
}
