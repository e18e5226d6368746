import ArgumentParser
import AuditCore
import AuditStore
import AuditStorePostgres
import Foundation
import Synchronization

/// Options every subcommand shares: where the store is and which time zone days are counted in.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The store: a SQLite file, or postgresql://[user@][host][:port][/database] (every command but set-time-zone, compact for its retention only; password from --db-password-file, $EMAIL_AUDIT_DB_PASSWORD_FILE, $PGPASSFILE or ~/.pgpass, never the URL).", valueName: "path-or-url"))
    var db: String?

    @Option(name: .customLong("db-password-file"), help: ArgumentHelp("A PostgreSQL store's password: a file holding only it, readable by you alone.", valueName: "path"))
    var dbPasswordFile: String?

    @Option(name: .long, help: ArgumentHelp("Time zone for days and times (default Europe/London).", valueName: "zone"))
    var timeZone: String?

    var environment: [String: String] { ProcessInfo.processInfo.environment }

    /// The store path after applying --db, $EMAIL_AUDIT_DB and the XDG default.
    var resolvedPath: String {
        db ?? AuditDatabase.defaultPath(environment: environment)
    }

    /// Which backend and where: the one place a path is told from a PostgreSQL URL.
    var location: StoreLocation { StoreLocation(resolvedPath) }

    /// The configured time zone, or a one-line error.
    func resolvedTimeZone() throws -> TimeZone {
        let name = timeZone ?? environment["EMAIL_AUDIT_TZ"] ?? "Europe/London"
        guard let zone = TimeZone(identifier: name) else {
            throw CLIError("unknown time zone '\(name)' (use a name such as Europe/London)")
        }
        return zone
    }

    /// Opens (creating when missing) the store for writing.
    func openStore() throws -> AuditDatabase {
        try open(access: .readWrite)
    }

    /// Opens an existing store read-only (for commands that only read: nothing in the file is
    /// changed, whatever --time-zone says, and a store this user may not write can be read);
    /// a missing file is an error rather than a new empty store.
    func openExistingStore() throws -> AuditDatabase {
        try requireExisting()
        return try open(access: .readOnly)
    }

    /// Opens an existing store for writing; a missing file is an error.
    func openExistingStoreForWriting() throws -> AuditDatabase {
        try requireExisting()
        return try open(access: .readWrite)
    }

    /// Opens the store read-only when it exists, else creates it (the screen on a new path).
    func openStoreForReading() throws -> AuditDatabase {
        FileManager.default.fileExists(atPath: resolvedPath) ? try open(access: .readOnly) : try openStore()
    }

    /// Refuses a PostgreSQL URL, before anything touches the disk, for the commands that work on
    /// a SQLite store only (as a path the URL would become a folder named `postgresql:`). `instead`,
    /// when given, is the whole line (what to use on PostgreSQL); else the line lists what works.
    func refusePostgresURL(_ instead: String? = nil) throws {
        guard case .postgres = location else { return }
        throw CLIError(instead ?? "this command does not take a PostgreSQL store yet; on PostgreSQL only \(StoreLocation.postgresCommands) work so far (docs/postgres.md): give --db a SQLite file path")
    }

    /// Opens the store for `seed`, `demo` and `simulate` (``DemoStore``) on either backend: a
    /// SQLite file for writing (created when missing, unless `existing`, when a missing file is
    /// an error), or the PostgreSQL database of the URL on `count` connections of its own (its
    /// schema created or upgraded); the first is the store, the rest for other threads.
    func openDemoStores(existing: Bool, count: Int = 1) throws -> [any DemoStore] {
        switch location {
        case .sqlite:
            let database = existing ? try openExistingStoreForWriting() : try openStore()
            return Array(repeating: database, count: count)
        case .postgres:
            return try openPostgresStores(count: count) ?? []
        }
    }

    /// Opens the store for a command that only reads and can read either backend: an existing
    /// SQLite file read-only (see ``openExistingStore()``; with `creatingMissing`, a missing
    /// file is created, as the screen does), or the PostgreSQL database of the URL (its schema
    /// created or upgraded as ``PostgresStoreOpening`` does).
    func openForReading(creatingMissing: Bool = false) throws -> ReadableStore {
        switch location {
        case .sqlite:
            return .sqlite(creatingMissing ? try openStoreForReading() : try openExistingStore())
        case .postgres(let url):
            return .postgres(try openPostgres(url: url))
        }
    }

    /// Opens the store for a command that changes it on either backend: an existing SQLite file
    /// for writing (a missing file is an error), or the PostgreSQL database of the URL.
    func openForChanging() throws -> ReadableStore {
        switch location {
        case .sqlite:
            return .sqlite(try openExistingStoreForWriting())
        case .postgres(let url):
            return .postgres(try openPostgres(url: url))
        }
    }

    /// The PostgreSQL store of `url`, its schema created or upgraded (errors as one line).
    private func openPostgres(url: String) throws -> PostgresAuditStore {
        let zone = try resolvedTimeZone()
        do {
            let connection = try PostgresStoreOpening.open(url: url, passwordFile: dbPasswordFile, timeZone: zone,
                                                           environment: environment, warn: { Console.printError("\($0)") })
            do {
                return try PostgresAuditStore(connection: connection)
            } catch {
                connection.close()
                throw error
            }
        } catch {
            throw CLIError("\(error)")
        }
    }

    /// Opens the store for a command that works on both backends and may write (`notifications`,
    /// `prefs`): an existing SQLite file, read-write when `writing` (else read-only, as
    /// ``openExistingStore()``), or the PostgreSQL database of the URL (as ``openForReading(creatingMissing:)``).
    func openOnEitherBackend(writing: Bool) throws -> ReadableStore {
        switch location {
        case .sqlite: return .sqlite(writing ? try openExistingStoreForWriting() : try openExistingStore())
        case .postgres: return try openForReading()
        }
    }

    /// Opens the PostgreSQL store of the URL for a command that writes through the store
    /// contract (`serve`, `ingest`, `record`): `count` stores, each on its own connection (the
    /// schema created or upgraded as ``PostgresStoreOpening`` does). Nil for a SQLite path.
    func openPostgresStores(count: Int = 1) throws -> [PostgresAuditStore]? {
        guard case .postgres(let url) = location else { return nil }
        let zone = try resolvedTimeZone()
        do {
            let connections = try PostgresStoreOpening.openConnections(url: url, count: count, passwordFile: dbPasswordFile, timeZone: zone,
                                                                       environment: environment, warn: { Console.printError("\($0)") })
            do {
                return try connections.map { try PostgresAuditStore(connection: $0) }
            } catch {
                connections.forEach { $0.close() }
                throw error
            }
        } catch {
            throw CLIError("\(error)")
        }
    }

    private func requireExisting() throws {
        try refusePostgresURL()
        guard FileManager.default.fileExists(atPath: resolvedPath) else {
            throw CLIError("no store at \(resolvedPath); run `email-audit demo` or `email-audit seed --db \(resolvedPath)` first")
        }
    }

    private func open(access: AuditDatabase.Access) throws -> AuditDatabase {
        try refusePostgresURL()
        let zone = try resolvedTimeZone()
        // A long upgrade of an existing store (schema v11 rewrites a row per event) says how far
        // it has got on standard error when that is a terminal.
        let onTerminal = access == .readWrite && isatty(STDERR_FILENO) == 1
        let drawn = Atomic<Bool>(false)
        let report: @Sendable (UpgradeProgress) -> Void = { step in
            drawn.store(true, ordering: .relaxed)
            let percent = step.total > 0 ? step.done * 100 / step.total : 100
            Console.progressLine("upgrading the store: \(step.step.lowercased()), \(step.done) of \(step.total) (\(percent)%)")
        }
        let progress = onTerminal ? report : nil
        do {
            let database = try AuditDatabase(path: resolvedPath, timeZone: zone, access: access, upgradeProgress: progress)
            if drawn.load(ordering: .relaxed) { Console.progressLine("") }
            return database
        } catch {
            if drawn.load(ordering: .relaxed) { Console.progressLine("") }
            throw CLIError("\(error)")
        }
    }
}

/// A one-line error for the person at the terminal; exits non-zero.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) {
        description = message
    }
}

/// Parses a pinned "now" for reproducible screenshots and demos: ISO 8601
/// ("2026-11-20T14:30:00Z") or UK local time in `zone` ("20/11/2026 14:30").
func parseNow(_ text: String, zone: TimeZone, option: String = "--now") throws -> Date {
    if let date = ISO8601DateFormatter().date(from: text) { return date }
    let parts = text.split(separator: " ")
    if parts.count == 2, let day = CalendarDay(parsing: String(parts[0])) {
        let clock = parts[1].split(separator: ":").compactMap { Int($0) }
        if clock.count == 2, (0..<24).contains(clock[0]), (0..<60).contains(clock[1]) {
            return day.start(in: zone) + TimeInterval(clock[0] * 3600 + clock[1] * 60)
        }
    }
    throw CLIError("\(option) '\(text)' is not a time; use dd/mm/yyyy HH:mm or ISO 8601")
}
