/// What `--db` / `EMAIL_AUDIT_DB` name: a SQLite file, or a PostgreSQL database by URL. The one
/// place the CLI decides the backend.
enum StoreLocation: Equatable {
    /// A SQLite store file (the default backend).
    case sqlite(path: String)
    /// A PostgreSQL store: a `postgresql://` or `postgres://` URL (no password in it).
    case postgres(url: String)

    /// The commands that take a PostgreSQL store so far (for the refusals of the others).
    static let postgresCommands = "open, query, show, export, users, suppressions, resend, notifications, prefs, serve, ingest, record, sync, seed, demo, simulate and compact (its retention)"

    /// Reads `text`: a URL whose scheme is `postgresql://` or `postgres://` (any case, as
    /// `PostgresLocation.isURL` reads it) is PostgreSQL; anything else is a path.
    init(_ text: String) {
        let scheme = text.prefix(13).lowercased()
        if scheme.hasPrefix("postgresql://") || scheme.hasPrefix("postgres://") {
            self = .postgres(url: text)
        } else {
            self = .sqlite(path: text)
        }
    }
}
