import ArgumentParser
import AuditCore
import AuditStore
import AuditStorePostgres
import Foundation

/// `email-audit migrate --from PATH --to postgresql://...`: copies a SQLite store into a
/// PostgreSQL store, resumably, then checks the counts.
struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Copy a SQLite store into a PostgreSQL store (resumable), then check the counts.",
        discussion: """
            Copies every table of the SQLite store (emails with their bodies and status details, raw \
            provider events byte for byte, roll-ups, suppressions and their history, notifications, users, \
            resends, ...) into the PostgreSQL database named by --to, keeping every id. The database must \
            be empty or hold an earlier, unfinished or finished copy of the same store. Rows go across in \
            chunks, each committed with the copy's position: after an interruption (even kill -9) run the \
            same command again and it continues where it stopped; once done, running it again copies \
            nothing. Stop everything that writes to the SQLite store first (serve, ingest, the screen's \
            actions). The SQLite store is only read.

            Afterwards prints the rows of every table in both stores, the emails per status and the \
            roll-up sums per status, and exits with status 1 when any differ.

            The password is never taken from the URL: it comes from --db-password-file, \
            EMAIL_AUDIT_DB_PASSWORD_FILE, or the libpq password file (PGPASSFILE or ~/.pgpass).
            """)

    @Option(name: .long, help: ArgumentHelp("The SQLite store to copy (only read).", valueName: "path"))
    var from: String

    @Option(name: .long, help: ArgumentHelp("The PostgreSQL database: postgresql://[user@][host][:port][/database][?sslmode=...].",
                                            valueName: "url"))
    var to: String

    @Option(name: .long, help: ArgumentHelp("A file holding the database password (no group or other permissions).", valueName: "file"))
    var dbPasswordFile: String?

    @Option(help: ArgumentHelp("Rows per transaction.", visibility: .hidden))
    var chunkRows: Int = 2000

    @Option(help: ArgumentHelp("Stop after this many chunks, as a kill would (tests).", visibility: .hidden))
    var stopAfterChunks: Int?

    func run() throws {
        guard chunkRows > 0 else { throw CLIError("--chunk-rows must be a positive number") }
        guard PostgresLocation.isURL(to) else {
            throw CLIError("--to must be a postgresql:// URL, not '\(to.prefix(80))'")
        }
        guard FileManager.default.fileExists(atPath: from) else { throw CLIError("no store at \(from)") }
        let store = try AuditDatabase(path: from, timeZone: TimeZone(identifier: "Europe/London")!, access: .readOnly)
        let source = StoreCopySource(store: store)
        let zone = try source.timeZoneIdentifier()
        guard let timeZone = TimeZone(identifier: zone) else { throw CLIError("the store's time zone '\(zone)' is unknown here") }
        let db = try PostgresStoreOpening.open(url: to, passwordFile: dbPasswordFile, timeZone: timeZone,
                                               warn: { Console.printError("warning: \($0)") })
        defer { db.close() }

        var line = ProgressLine(enabled: isatty(STDERR_FILENO) == 1)
        let started = Date()
        var firstCopied: Int?
        let copied: Int
        do {
            copied = try PostgresStoreCopy.copy(from: source, to: db, chunkRows: chunkRows, stopAfterChunks: stopAfterChunks) { progress in
                if firstCopied == nil { firstCopied = progress.rowsCopied }
                let rate = Self.rate(progress.rowsCopied - (firstCopied ?? 0), seconds: Date().timeIntervalSince(started))
                line.draw(Self.progressText(progress, rate: rate))
            }
            line.clear()
        } catch {
            line.clear()
            throw CLIError("\(error)\(Self.isResumable(error) ? " Run the same command again to continue the copy." : "")")
        }
        let seconds = Date().timeIntervalSince(started)
        Console.print("Copied \(Self.grouped(copied)) rows from \(from) to \(db.location.description) in \(String(format: "%.1f", seconds)) s.")
        let checks = try PostgresStoreCopy.check(source, against: db)
        let width = max(30, checks.map(\.what.count).max() ?? 0)
        Console.print("\(Self.padded("", width))  \(Self.padded("SQLite", 12, right: true))  \(Self.padded("PostgreSQL", 12, right: true))")
        for check in checks {
            Console.print("\(Self.padded(check.what, width))  \(Self.padded(Self.grouped(check.source), 12, right: true))  "
                          + "\(Self.padded(Self.grouped(check.destination), 12, right: true))\(check.matches ? "" : "  DIFFERS")")
        }
        let differing = checks.filter { !$0.matches }
        guard differing.isEmpty else {
            throw CLIError("\(differing.count) of \(checks.count) counts differ between \(from) and \(db.location.description)")
        }
        Console.print("All \(checks.count) counts match.")
    }

    /// "[████······] Copying events: 12,345 of 50,000 rows · 4,321 rows/s".
    static func progressText(_ progress: StoreCopyProgress, rate: Int, barWidth: Int = 24) -> DisplayText {
        let fraction = progress.totalRows > 0 ? min(1, Double(progress.rowsCopied) / Double(progress.totalRows)) : 1
        let filled = Int((fraction * Double(barWidth)).rounded(.down))
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: barWidth - filled)
        return "[\(bar)] Copying \(progress.table): \(grouped(progress.rowsCopied)) of \(grouped(progress.totalRows)) rows · \(grouped(rate)) rows/s"
    }

    /// Whether `error` broke off a copy that a second run continues (a lost connection, a
    /// server error), rather than refusing it.
    static func isResumable(_ error: Error) -> Bool {
        switch error {
        case PostgresStoreError.server, PostgresStoreError.connectionLost: true
        default: false
        }
    }

    static func rate(_ rows: Int, seconds: Double) -> Int {
        seconds > 0 ? Int(Double(rows) / seconds) : 0
    }

    static func grouped(_ value: Int) -> String {
        value.formatted(.number.grouping(.automatic).locale(Locale(identifier: "en_GB")))
    }

    static func padded(_ text: String, _ width: Int, right: Bool = false) -> String {
        let pad = String(repeating: " ", count: max(0, width - text.count))
        return right ? pad + text : text + pad
    }
}
