import ArgumentParser
import AuditCore
import AuditStore
import AuditStorePostgres
import Foundation
import Server

/// `email-audit compact`: gives the store's free pages back to the disk, safely while the
/// screen or `serve` has the same store open.
struct CompactCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compact",
        abstract: "Give the store's free space back to the disk (safe while the screen or serve is open).",
        discussion: """
            Merges the Subject and To search indexes back into one segment each (they gather segments as \
            emails are recorded, which slows searches) and releases free pages, both in short write \
            transactions, between which serve and ingest keep writing and the screen keeps reading. A store created before this version is first \
            switched over by one full VACUUM, which holds the write lock while it runs (other writers wait up \
            to 10 s, then retry or report). Refreshes the query planner's statistics. Interrupting it loses \
            no data. Prints the size before and after.

            With --retention-months N (or retention_months in the config file's [server] section; the flag \
            wins, 0 keeps everything), first deletes every account's emails created before local midnight \
            of the day N calendar months ago, with their events, notifications, resend links and roll-up \
            counts, in batches of short write transactions; run again after an interruption, it finishes \
            the job. With --archive FILE, each batch is appended to FILE (JSON Lines, gzip when it ends \
            .gz) and synced to disk before it is deleted; an existing FILE is only appended to when it is \
            the archive this store's last retention run wrote.

            On a PostgreSQL store (--db postgresql://...) compact applies the retention setting only: \
            the months wholly before the cut are detached and dropped (their space goes back to the disk at \
            once), the older days of the cut's month are deleted in batches; the server's autovacuum reuses \
            the space of deleted rows. --archive is not available there yet.
            """)

    @OptionGroup var store: StoreOptions

    @Option(name: .long, parsing: .unconditional,
            help: ArgumentHelp("Delete emails older than this many calendar months (0: keep everything).", valueName: "months"))
    var retentionMonths: String?

    @Option(name: .long, help: ArgumentHelp("Append the deleted emails and their events to this file first (JSON Lines; .gz compresses).",
                                            valueName: "file"))
    var archive: String?

    @Option(help: ArgumentHelp("The config file (TOML) holding retention_months.", valueName: "file"))
    var config: String?

    @Option(help: ArgumentHelp("Pretend it is this time (dd/mm/yyyy HH:mm); for reproducible tests.", visibility: .hidden))
    var now: String?

    @Option(help: ArgumentHelp("Emails per retention transaction (tests lower it).", visibility: .hidden))
    var retentionBatch: Int = 1000

    /// The months to keep: the flag, else the config file, else 0 (keep everything).
    func resolvedRetentionMonths() throws -> Int {
        if let retentionMonths {
            guard let months = RetentionCut.months(parsing: retentionMonths) else {
                throw CLIError("--retention-months must be a whole number of months from 0 (keep everything) to 1200, not '\(retentionMonths)'")
            }
            return months
        }
        let environment = ProcessInfo.processInfo.environment
        if let config, !FileManager.default.fileExists(atPath: config) { throw CLIError("no such config file: \(config)") }
        do {
            return try ServerConfiguration.load(path: config ?? ServerConfiguration.defaultFilePath(environment: environment)).retentionMonths ?? 0
        } catch {
            throw CLIError("\(error)")
        }
    }

    func run() throws {
        let months = try resolvedRetentionMonths()
        if archive != nil && months == 0 {
            throw CLIError("--archive needs --retention-months N (or retention_months in the config file): nothing would be deleted")
        }
        guard retentionBatch > 0 else { throw CLIError("--retention-batch must be a positive number") }
        let zone = try store.resolvedTimeZone()
        let moment = try now.map { try parseNow($0, zone: zone) } ?? Date()
        if case .postgres = store.location {
            guard archive == nil else {
                throw CLIError("--archive is not available on a PostgreSQL store yet: back the database up with pg_dump before a retention run instead")
            }
            guard case .postgres(let postgres) = try store.openForChanging() else { return }
            defer { postgres.connection.close() }
            if let cut = RetentionCut.cut(months: months, now: moment, timeZone: postgres.timeZone) {
                try applyRetention(postgres, cut: cut, zone: postgres.timeZone, archive: nil, onTerminal: isatty(STDERR_FILENO) == 1)
            }
            Console.print("\(postgres.connection.location.description): PostgreSQL gives the space of deleted rows back to its tables by its own autovacuum; the months retention dropped went back to the disk at once")
            return
        }
        let database = try store.openExistingStoreForWriting()
        let onTerminal = isatty(STDERR_FILENO) == 1
        if let cut = RetentionCut.cut(months: months, now: moment, timeZone: zone) {
            let opened: RetentionArchive?
            do {
                opened = try archive.map { try RetentionArchive(path: $0, store: database) }
            } catch {
                throw CLIError("\(error)")
            }
            try applyRetention(database, cut: cut, zone: zone, archive: opened, onTerminal: onTerminal)
        }
        var progress = ProgressLine(enabled: onTerminal)
        let started = Date()
        let report: CompactionReport
        do {
            report = try database.compact { step in
                switch step {
                case .rebuilding:
                    progress.draw("compact: rebuilding the store once (VACUUM) to switch on incremental vacuum…", final: true)
                case .merging(let index, let done, let total):
                    progress.draw("compact: merging the \(index.title) search index into one segment (\(done * 100 / max(total, 1))%)",
                                  final: done == total)
                case .releasing(let done, let total):
                    let percent = total > 0 ? done * 100 / total : 100
                    progress.draw("compact: \(Self.grouped(done)) of \(Self.grouped(total)) free pages released (\(percent)%)",
                                  final: done == total)
                }
            }
        } catch {
            progress.clear()
            throw CLIError("\(error)")
        }
        progress.clear()
        let seconds = String(format: "%.1f", Date().timeIntervalSince(started))
        var line: DisplayText = "\(database.path): \(Self.megabytes(report.bytesBefore)) → \(Self.megabytes(report.bytesAfter)) in \(seconds) s"
        line = line + (report.rebuilt ? "; rebuilt once (VACUUM), incremental from now on" : "; \(Self.grouped(report.pagesReleased)) free pages released")
        if !report.searchIndexesMerged.isEmpty {
            line = line + "; \(report.searchIndexesMerged.map(\.title).joined(separator: " and ")) search index\(report.searchIndexesMerged.count > 1 ? "es" : "") merged into one segment"
        }
        if !report.logEmptied { line = line + "; the -wal file shrinks when the open screen or serve next checkpoints" }
        Console.print(line)
    }

    /// Deletes (archiving first when asked) the emails created before `cut`, with a progress line.
    private func applyRetention(_ retention: some RetentionStore, cut: Date, zone: TimeZone, archive opened: RetentionArchive?,
                                onTerminal: Bool) throws {
        let day = CalendarDay(containing: cut, in: zone)
        if let opened {
            switch opened.opening {
            case .created: Console.print("archive: writing \(opened.path)")
            case .emptyFile: Console.print("archive: writing \(opened.path) (it was empty)")
            case .appending(let bytes, let dropped):
                var line: DisplayText = "archive: appending to \(opened.path) (\(Self.grouped(Int(bytes))) bytes, the archive of this store's last retention run)"
                if dropped > 0 { line = line + "; cut off \(Self.grouped(Int(dropped))) bytes of a batch whose emails were never deleted" }
                Console.print(line)
            }
        }
        var progress = ProgressLine(enabled: onTerminal)
        let started = Date()
        let report: RetentionReport
        do {
            let draw = { (step: RetentionProgress) in
                let percent = step.total > 0 ? step.done * 100 / step.total : 100
                progress.draw("retention: \(Self.grouped(step.done)) of \(Self.grouped(step.total)) emails created before \(day) deleted (\(percent)%)",
                              final: step.done == step.total)
            }
            if let database = retention as? AuditDatabase {
                report = try database.applyRetention(before: cut, batchSize: retentionBatch, archive: opened, progress: draw)
            } else {
                report = try retention.applyRetention(before: cut, batchSize: retentionBatch, progress: draw)
            }
        } catch {
            progress.clear()
            throw CLIError("\(error)")
        }
        progress.clear()
        let seconds = String(format: "%.1f", Date().timeIntervalSince(started))
        var line: DisplayText = "retention: deleted \(Self.grouped(report.emails)) emails created before \(day) 00:00 (\(zone.identifier)) with \(Self.grouped(report.events)) events, \(Self.grouped(report.notifications)) notifications and \(Self.grouped(report.resendLinks)) resend links in \(seconds) s"
        if let opened { line = line + "; archived to \(opened.path)" }
        Console.print(line)
    }

    /// "812.3 MB" (decimal megabytes, one decimal).
    static func megabytes(_ bytes: Int64) -> String {
        String(format: "%.1f MB", Double(bytes) / 1_000_000)
    }

    /// "12,345".
    static func grouped(_ value: Int) -> String {
        value.formatted(.number.grouping(.automatic).locale(Locale(identifier: "en_GB")))
    }
}
