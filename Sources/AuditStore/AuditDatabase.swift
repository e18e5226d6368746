import AuditCore
import Foundation
import GRDB

/// The email-audit database: one SQLite file in WAL mode, used by one writer and any number
/// of concurrent readers.
///
/// This type is the only code in the project that knows SQL. Its reading side is reached
/// through ``AccountScopedReader`` (``reader(for:accountID:)``), which puts the signed-in
/// user's account into every query; the unscoped reads are not public. Its writing side records emails, hands them
/// over, ingests provider events and keeps the daily roll-ups and the suppression list exact.
///
/// Opening never damages another program's file: an existing file is first checked read-only
/// (see ``StoreError``) and only then opened for writing and migrated.
public final class AuditDatabase: @unchecked Sendable {
    /// How a process uses the store.
    public enum Access: Sendable {
        /// Records, ingests and changes settings; creates and migrates the file when needed.
        case readWrite
        /// Only reads: the file is opened read-only and nothing in it is ever changed (so a
        /// store owned by another user, or a read-only file, can still be queried).
        case readOnly
    }

    /// The database file.
    public let path: String
    /// The zone this process shows days and times in (its `--time-zone`). The roll-ups are
    /// kept in the store's own zone (``rollupTimeZoneIdentifier()``); counts for another zone
    /// are computed from the emails instead, so a reader never rewrites anything.
    public let timeZone: TimeZone
    /// Whether this process may write.
    public let access: Access

    let pool: DatabasePool
    /// The hand-over claims of this process's feeders (``HandOverQueueStore``; one writer process).
    let handOverClaims = HandOverClaimTable()

    /// Opens (or, for ``Access/readWrite``, creates with its parent folders) the database at `path`.
    ///
    /// Creation and migration run under an exclusive lock on its folder (``CreationLock``), so two processes
    /// creating the same new store at once both end with one intact store; a reader waits
    /// for a creation in progress.
    ///
    /// - Throws: ``StoreError/notARegularFile(path:)`` for a FIFO, device or other special file,
    ///   ``StoreError/notAnAuditDatabase(path:)`` for another program's file or a
    ///   non-SQLite file, ``StoreError/newerSchema(path:found:supported:)`` for a file from a
    ///   newer email-audit, ``StoreError/corrupt(path:underlying:)`` for a damaged one. In all
    ///   these cases the file is left byte-for-byte untouched.
    ///
    /// `upgradeProgress` hears how far a long schema upgrade of an existing store has got
    /// (``UpgradeProgress``; version 12 rewrites a row per event), on this thread.
    public init(path: String, timeZone: TimeZone, access: Access = .readWrite,
                upgradeProgress: (@Sendable (UpgradeProgress) -> Void)? = nil) throws {
        self.path = path
        self.timeZone = timeZone
        self.access = access

        try DatabaseFileCheck.requireRegularFileOrNew(path: path, mustExist: access == .readOnly)
        let fileManager = FileManager.default
        let folder = (path as NSString).deletingLastPathComponent
        if access == .readWrite {
            if !fileManager.fileExists(atPath: path) && !folder.isEmpty && !fileManager.fileExists(atPath: folder) {
                do {
                    try fileManager.createDirectory(atPath: folder, withIntermediateDirectories: true)
                } catch {
                    throw StoreError.cannotCreateFolder(path: folder, underlying: TextSanitiser.oneLine(error.localizedDescription))
                }
            }
            // The store writes the file and its -wal and -shm companions beside it.
            if fileManager.fileExists(atPath: path) ? !fileManager.isWritableFile(atPath: path)
                : !fileManager.isWritableFile(atPath: folder.isEmpty ? "." : folder) {
                throw StoreError.permissionDenied(path: path)
            }
        }
        let creationLock = try CreationLock(path: path, exclusive: access == .readWrite)
        defer { creationLock.release() }

        // SQLite reads a WAL store read-only only when its -wal and -shm files exist or can be
        // created; in a folder this user may not write (another user's store), open it as
        // immutable instead: then no writer is active, since a writer keeps both files.
        let sqlitePath = access == .readOnly && Self.needsImmutableOpen(path: path, folder: folder)
            ? Self.immutableURI(path) : path
        let verdict = try DatabaseFileCheck.inspect(path: path, sqlitePath: sqlitePath)
        if access == .readOnly {
            switch verdict {
            case .fresh: throw StoreError.notAnAuditDatabase(path: path)
            case .ours(let version) where version < Schema.version: throw StoreError.olderSchema(path: path)
            case .ours: break
            }
        }

        var configuration = Configuration()
        configuration.label = "email-audit"
        configuration.busyMode = .timeout(10)
        configuration.maximumReaderCount = 6
        configuration.readonly = access == .readOnly
        configuration.prepareDatabase { db in
            // Page caches are bounded so memory stays flat however large the store: 64 MB for the
            // writer (ingest), 8 MB per reader. The writer checkpoints less often (pages rewritten
            // by consecutive batches are copied to the database once) and, in WAL mode, commits
            // with synchronous=NORMAL: a power cut can lose the last commits but never corrupts the
            // file, and provider events can always be ingested again.
            if db.configuration.readonly {
                try db.execute(sql: "PRAGMA cache_size = -8192; PRAGMA temp_store = MEMORY")
            } else {
                // 8 KiB pages for new stores (fewer B-tree steps and system calls for rows carrying
                // raw event JSON; an existing store keeps its page size), and a 128 MB WAL between
                // checkpoints. Measured with email-audit-bench at 1M emails: ingest 46.9 s -> 40.0 s.
                try db.execute(sql: "PRAGMA page_size = 8192")
                // New stores can give free pages back to the disk in small steps while others
                // use them (`email-audit compact`); an existing store keeps its mode until compact
                // switches it with one VACUUM.
                try db.execute(sql: "PRAGMA auto_vacuum = INCREMENTAL")
                try db.execute(sql: "PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY; PRAGMA wal_autocheckpoint = 16384; PRAGMA synchronous = NORMAL")
            }
        }
        do {
            pool = try Self.retryingWhileBusy { try DatabasePool(path: sqlitePath, configuration: configuration) }
        } catch {
            throw StoreError.wrap(error, path: path)
        }
        if access == .readWrite {
            do {
                try Self.retryingWhileBusy {
                    // An upgrade that rewrites a whole table (v13's DROP COLUMN) keeps a statement
                    // journal as large as the table: in a file, not in memory (762 MB of memory at
                    // 1,000,000 emails otherwise). The setting cannot change inside the migration's
                    // transaction, so it is set around it.
                    try pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA temp_store = FILE") }
                    defer { try? pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA temp_store = MEMORY") } }
                    try Schema.migrator(progress: upgradeProgress).migrate(pool)
                    try recordTimeZoneIfMissing()
                }
            } catch {
                throw StoreError.wrap(error, path: path)
            }
        }
    }

    /// Whether a read-only open must use an immutable URI: the -wal or -shm file is missing
    /// and the folder is not writable by this user.
    static func needsImmutableOpen(path: String, folder: String) -> Bool {
        let fileManager = FileManager.default
        let companionsExist = fileManager.fileExists(atPath: path + "-wal") && fileManager.fileExists(atPath: path + "-shm")
        return !companionsExist && !fileManager.isWritableFile(atPath: folder.isEmpty ? "." : folder)
    }

    /// `file:PATH?immutable=1`, with the characters URIs reserve percent-encoded.
    static func immutableURI(_ path: String) -> String {
        var encoded = ""
        for character in path {
            switch character {
            case "%": encoded += "%25"
            case "?": encoded += "%3F"
            case "#": encoded += "%23"
            default: encoded.append(character)
            }
        }
        return "file:" + encoded + "?immutable=1"
    }

    /// Runs `body` again while SQLite answers SQLITE_BUSY, for up to `seconds`. Opening a pool
    /// makes sure the database is in WAL mode and its -wal file exists, which can meet another
    /// process's last connection cleaning up, or a deferred transaction upgraded to a write:
    /// cases SQLite reports at once, without waiting through the busy timeout.
    static func retryingWhileBusy<T>(seconds: TimeInterval = 10, _ body: () throws -> T) throws -> T {
        let deadline = Date().addingTimeInterval(seconds)
        var pause: useconds_t = 5_000
        while true {
            do {
                return try body()
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY && Date() < deadline {
                usleep(pause)
                pause = min(pause * 2, 100_000)
            }
        }
    }

    /// Where the database lives when no path is given: `EMAIL_AUDIT_DB`, else
    /// `$XDG_DATA_HOME/email-audit/audit.sqlite`, else `~/.local/share/email-audit/audit.sqlite`.
    public static func defaultPath(environment: [String: String]) -> String {
        if let explicit = environment["EMAIL_AUDIT_DB"], !explicit.isEmpty { return explicit }
        if let data = environment["XDG_DATA_HOME"], !data.isEmpty {
            return (data as NSString).appendingPathComponent("email-audit/audit.sqlite")
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return (home as NSString).appendingPathComponent(".local/share/email-audit/audit.sqlite")
    }

    /// Closes every connection. Further calls throw.
    public func close() throws {
        try pool.close()
    }

    /// Frees the page caches of every connection (the writer's holds up to 64 MB after an
    /// ingest; reader connections are closed and open again when next needed). Pages are read
    /// from the file again as queries need them. For a process that has finished writing a lot
    /// and goes on reading, so that its memory is the readers' alone.
    public func releaseMemory() {
        pool.releaseMemory()
    }

    // MARK: - Access helpers

    /// Runs a read, mapping errors to ``StoreError``.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            // SQLite reports SQLITE_BUSY at once (without waiting through the busy timeout) when
            // another process's last connection is cleaning up the WAL: try again briefly.
            return try Self.retryingWhileBusy { try pool.read(body) }
        } catch {
            throw StoreError.wrap(error, path: path)
        }
    }

    /// Runs a write transaction, mapping errors to ``StoreError``. The body bumps the change
    /// counter (``bumpChangeCounter(_:)``) when it changed anything screens show.
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            // A busy write transaction was rolled back whole, so running the body again is safe.
            return try Self.retryingWhileBusy { try pool.write(body) }
        } catch {
            throw StoreError.wrap(error, path: path)
        }
    }

    /// Marks the store as changed for ``changeToken()``.
    func bumpChangeCounter(_ db: Database) throws {
        try db.cachedStatement(sql: "UPDATE meta SET value = value + 1 WHERE key = 'change_counter'").execute()
    }

    /// A number that changes whenever emails or events change. Reads one row.
    public func changeToken() throws -> Int64 {
        try read { db in
            try Int64.fetchOne(db.cachedStatement(sql: "SELECT value FROM meta WHERE key = 'change_counter'")) ?? 0
        }
    }

    /// Keeps the row counts in `meta` exact, in the same transaction as the rows, and the
    /// planner's statistics current when the emails have doubled or halved.
    func adjustCounts(_ db: Database, emails: Int, events: Int) throws {
        let statement = try db.cachedStatement(sql: "UPDATE meta SET value = value + ? WHERE key = ?")
        if emails != 0 { try statement.execute(arguments: [emails, MetaKey.emailCount]) }
        if events != 0 { try statement.execute(arguments: [events, MetaKey.eventCount]) }
        if emails != 0 { try refreshStatisticsIfStale(db) }
    }

    /// The number of emails stored (kept in `meta`, so it is one row read even at millions).
    public func emailCount() throws -> Int {
        try read { db in
            try Int.fetchOne(db.cachedStatement(sql: "SELECT value FROM meta WHERE key = ?"), arguments: [MetaKey.emailCount]) ?? 0
        }
    }

    /// The number of provider events stored (kept in `meta`).
    public func eventCount() throws -> Int {
        try read { db in
            try Int.fetchOne(db.cachedStatement(sql: "SELECT value FROM meta WHERE key = ?"), arguments: [MetaKey.eventCount]) ?? 0
        }
    }

    /// The schema version of the file.
    public func schemaVersion() throws -> Int {
        try read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0 }
    }
}
