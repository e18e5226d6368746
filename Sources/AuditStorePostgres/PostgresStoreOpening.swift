import Foundation

/// Opening a PostgreSQL store from what `--db` / `EMAIL_AUDIT_DB` hold: the steps every command
/// will take once the CLI accepts a URL.
public enum PostgresStoreOpening {
    /// Parses `url`, finds the password (``PostgresPassword``: never from the URL), connects,
    /// creates or upgrades the schema (refusing a newer one) and creates the partitions of the
    /// month of `now` and the next, so that writers rarely meet a missing month.
    ///
    /// - Parameters:
    ///   - passwordFile: the `--db-password-file` option, if given.
    ///   - timeZone: the zone of a new store's month partitions (ignored for an existing store).
    ///   - warn: receives each warning line (a password file that was ignored).
    public static func open(url: String, passwordFile: String? = nil, timeZone: TimeZone, now: Date = Date(),
                            environment: [String: String] = ProcessInfo.processInfo.environment,
                            warn: (String) -> Void) throws -> BlockingPostgresConnection {
        let location = try PostgresLocation(url: url)
        let password = try PostgresPassword.resolve(for: location, passwordFile: passwordFile, environment: environment)
        password.warnings.forEach(warn)
        let db = try BlockingPostgresConnection.connect(to: location, password: password.password)
        do {
            try PostgresSchema.migrate(db, timeZone: timeZone)
            try PostgresPartitions.createCurrentAndNext(now: now, in: db)
            return db
        } catch {
            db.close()
            throw error
        }
    }
}

extension PostgresStoreOpening {
    /// Opens `count` connections to the store of `url` (at least one): the first as
    /// ``open(url:passwordFile:timeZone:now:environment:warn:)`` (schema and partitions), the
    /// others to the migrated store, with the same password. For a process that writes from
    /// several threads at once (`serve`): each gets its own connection. On any failure the
    /// connections already open are closed.
    public static func openConnections(url: String, count: Int, passwordFile: String? = nil, timeZone: TimeZone, now: Date = Date(),
                                       environment: [String: String] = ProcessInfo.processInfo.environment,
                                       warn: (String) -> Void) throws -> [BlockingPostgresConnection] {
        let first = try open(url: url, passwordFile: passwordFile, timeZone: timeZone, now: now, environment: environment, warn: warn)
        var connections = [first]
        do {
            let password = try PostgresPassword.resolve(for: first.location, passwordFile: passwordFile, environment: environment)
            while connections.count < count {
                connections.append(try BlockingPostgresConnection.connect(to: first.location, password: password.password))
            }
            return connections
        } catch {
            connections.forEach { $0.close() }
            throw error
        }
    }
}

extension PostgresPartitions {
    /// Creates the partitions of the month holding `now` and of the month after it (months of
    /// the store's partition zone), unless they exist.
    public static func createCurrentAndNext(now: Date, in db: BlockingPostgresConnection) throws(PostgresStoreError) {
        try db.execute("""
            SELECT email_audit_create_month_partitions(\(now)),
                   email_audit_create_month_partitions((date_trunc('month', \(now) AT TIME ZONE zone) + interval '1 month') AT TIME ZONE zone)
            FROM (SELECT value AS zone FROM store_meta WHERE key = 'partition_time_zone') meta
            """)
    }
}
