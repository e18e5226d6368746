import ArgumentParser
import AuditCore
import AuditStore
import AuditStorePostgres
import Foundation

/// `email-audit check`: is the store intact?
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check the store for damage (SQLite's quick_check, and the roll-ups against the emails).",
        discussion: """
            Read-only. Exits 0 when the store is intact, 1 with the problems found otherwise. On PostgreSQL (the server \
            checks its own pages) it checks what the schema keeps by triggers and by the ingest: the roll-ups against a \
            recount of the emails, the status and key tables against the emails, every event's email; with --full also \
            every B-tree index with amcheck, when the extension is installed in the database.
            """)

    @OptionGroup var store: StoreOptions

    @Flag(help: "Run the full integrity_check (also compares every index with its table; slower). On PostgreSQL: amcheck's bt_index_check of every index.")
    var full = false

    func run() throws {
        if case .postgres = store.location, case .postgres(let postgres) = try store.openForReading() {
            defer { postgres.connection.close() }
            try check(postgres)
            return
        }
        let database = try store.openExistingStore()
        let problems: [String]
        do {
            problems = try database.integrityProblems(full: full)
        } catch {
            throw CLIError("\(error)")
        }
        guard problems.isEmpty else {
            for problem in problems {
                Console.printError("\(database.path): \(problem)")
            }
            throw CLIError("\(database.path) is damaged: \(full ? "integrity_check" : "quick_check") found \(problems.count == 20 ? "20 or more" : "\(problems.count)") problem\(problems.count == 1 ? "" : "s")")
        }
        let mismatches = try database.rollupMismatches()
        guard mismatches == 0 else {
            throw CLIError("\(database.path): \(mismatches) roll-up count\(mismatches == 1 ? "" : "s") differ from the emails; run `email-audit set-time-zone` with the store's zone to recount")
        }
        Console.print("\(database.path): ok (\(full ? "integrity_check" : "quick_check") passed; \(try database.emailCount()) emails, \(try database.eventCount()) events; roll-ups match the emails, counted in \(try database.rollupTimeZoneIdentifier() ?? database.timeZone.identifier))")
    }
}

extension CheckCommand {
    /// The PostgreSQL store's check (``PostgresAuditStore/consistencyReport(indexes:)``), reported as SQLite's is.
    func check(_ postgres: PostgresAuditStore) throws {
        let location = postgres.connection.location.description
        let report: PostgresConsistencyReport
        do {
            report = try postgres.consistencyReport(indexes: full)
        } catch {
            throw CLIError("\(error)")
        }
        if full, report.damagedIndexes == nil {
            Console.printError("\(location): the indexes were not checked: the amcheck extension is not installed in this database (CREATE EXTENSION amcheck, as a superuser)")
        }
        let problems = report.problems
        guard problems.isEmpty else {
            for problem in problems { Console.printError("\(location): \(TerminalText.singleLine(problem))") }
            throw CLIError("\(location) is inconsistent: \(problems.count) problem\(problems.count == 1 ? "" : "s") found")
        }
        let indexes = report.damagedIndexes.map { _ in "; every B-tree index passed amcheck" } ?? ""
        Console.print("\(location): ok (schema version \(report.schemaVersion); \(report.emails) emails, \(report.events) events; "
            + "roll-ups match the emails, counted in \(report.timeZone); status and key tables match the emails; every event's email exists\(indexes))")
    }
}

/// `email-audit set-time-zone ZONE`: the one way to change the zone the store's roll-ups count days in.
struct SetTimeZoneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set-time-zone",
        abstract: "Make ZONE the store's time zone: recount the daily roll-ups by its days (under the write lock).",
        discussion: "Other commands never change the store's zone: with another --time-zone they show that zone's days and count from the emails.")

    @OptionGroup var store: StoreOptions

    @Argument(help: ArgumentHelp("A zone name such as Europe/London.", valueName: "zone"))
    var zone: String

    func run() throws {
        guard let newZone = TimeZone(identifier: zone) else {
            throw CLIError("unknown time zone '\(zone)' (use a name such as Europe/London)")
        }
        try store.refusePostgresURL(PostgresRefusals.setTimeZone)
        let database = try store.openExistingStoreForWriting()
        let before = try database.rollupTimeZoneIdentifier() ?? "(none)"
        do {
            if try database.changeRollupTimeZone(to: newZone) {
                Console.print("\(database.path): time zone \(before) → \(newZone.identifier); roll-ups recounted")
            } else {
                Console.print("\(database.path): time zone is already \(newZone.identifier)")
            }
        } catch {
            throw CLIError("\(error)")
        }
    }
}

/// The check the screen runs before it starts.
enum StoreHealth {
    /// Stores up to this size get SQLite's quick_check before the screen opens (it took
    /// 0.2 s at 90 MB); every store gets the header and schema checks of opening.
    static let quickCheckLimit: UInt64 = 128 << 20

    static func requireIntact(_ database: AuditDatabase) throws {
        let size = (try? FileManager.default.attributesOfItem(atPath: database.path)[.size] as? UInt64) ?? 0
        guard size <= quickCheckLimit else { return }
        let problems: [String]
        do {
            problems = try database.integrityProblems(limit: 1)
        } catch {
            throw CLIError("\(error) Run `email-audit check` for details.")
        }
        if let first = problems.first {
            throw CLIError("\(database.path) is damaged (\(TerminalText.singleLine(first))); run `email-audit check` for details")
        }
    }
}
