import ArgumentParser
import AuditCore
import AuditStore
import Foundation

/// `email-audit compact`: gives the store's free pages back to the disk, safely while the
/// screen or `serve` has the same store open.
struct CompactCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compact",
        abstract: "Give the store's free space back to the disk (safe while the screen or serve is open).",
        discussion: """
            Releases free pages in short write transactions (incremental vacuum), between which serve and \
            ingest keep writing and the screen keeps reading. A store created before this version is first \
            switched over by one full VACUUM, which holds the write lock while it runs (other writers wait up \
            to 10 s, then retry or report). Refreshes the query planner's statistics. Interrupting it loses \
            no data. Prints the size before and after.
            """)

    @OptionGroup var store: StoreOptions

    func run() throws {
        let database = try store.openExistingStoreForWriting()
        let onTerminal = isatty(STDERR_FILENO) == 1
        var lastDraw = Date.distantPast
        let started = Date()
        let report: CompactionReport
        do {
            report = try database.compact { step in
                guard onTerminal else { return }
                let now = Date()
                switch step {
                case .rebuilding:
                    Console.progressLine("compact: rebuilding the store once (VACUUM) to switch on incremental vacuum…")
                case .releasing(let done, let total):
                    guard done == total || now.timeIntervalSince(lastDraw) >= 0.2 else { return }
                    let percent = total > 0 ? done * 100 / total : 100
                    Console.progressLine("compact: \(Self.grouped(done)) of \(Self.grouped(total)) free pages released (\(percent)%)")
                }
                lastDraw = now
            }
        } catch {
            if onTerminal { Console.progressLine("") }
            throw CLIError("\(error)")
        }
        if onTerminal { Console.progressLine("") }
        let seconds = String(format: "%.1f", Date().timeIntervalSince(started))
        var line: DisplayText = "\(database.path): \(Self.megabytes(report.bytesBefore)) → \(Self.megabytes(report.bytesAfter)) in \(seconds) s"
        line = line + (report.rebuilt ? "; rebuilt once (VACUUM), incremental from now on" : "; \(Self.grouped(report.pagesReleased)) free pages released")
        if !report.logEmptied { line = line + "; the -wal file shrinks when the open screen or serve next checkpoints" }
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
