import ArgumentParser
import AuditCore
import AuditStore
import Export
import Foundation
import TerminalUI

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export the matching emails' summaries to Excel, PDF or CSV (every row, newest first).",
        discussion: """
            Takes every filter `query` takes. The file is written under a temporary name in the same \
            folder and renamed at the end: a failure, Ctrl-C or a full disk leaves no partial file. \
            A PDF holds at most 50,000 rows; use Excel or CSV for more.
            """)

    @OptionGroup var store: StoreOptions
    @OptionGroup var filters: FilterOptions

    @Option(help: ArgumentHelp("The file format (default: from the file name's extension).", valueName: "format"))
    var format: ExportFormat?

    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("The file to write.", valueName: "file"))
    var output: String

    @Flag(help: "Replace the file if it exists.")
    var force = false

    @Flag(name: .customLong("no-bom"), help: "CSV: no UTF-8 byte-order mark (for scripts).")
    var noBOM = false

    @OptionGroup var signIn: SignInOptions

    @Option(name: .customLong("pdf-max-rows"), help: ArgumentHelp("The most rows a PDF may hold.", valueName: "n"))
    var pdfMaxRows = 50_000

    @Option(name: .customLong("sheet-row-limit"), help: ArgumentHelp("Rows per Excel sheet (tests lower it).", visibility: .hidden))
    var sheetRowLimit = XLSXWriter.excelRowLimit

    @Flag(name: .customLong("zip64"), help: ArgumentHelp("Write ZIP64 records in a small workbook (tests).", visibility: .hidden))
    var zip64 = false

    @Option(name: .customLong("pdf-font"), help: ArgumentHelp("TrueType font for the PDF; '' for none (tests).", visibility: .hidden))
    var pdfFont: String?

    @Option(help: ArgumentHelp("Pretend it is this time (dd/mm/yyyy HH:mm); for reproducible tests.", visibility: .hidden))
    var now: String?

    func run() throws {
        // Validate everything before touching the store or the file system.
        guard let fileFormat = format ?? ExportFormat(argument: (output as NSString).pathExtension) else {
            throw CLIError("cannot tell the format from '\(output)'; add --format xlsx, pdf or csv")
        }
        guard pdfMaxRows > 0 else { throw CLIError("--pdf-max-rows must be 1 or more") }
        guard sheetRowLimit >= 6 else { throw CLIError("--sheet-row-limit must be 6 or more") }
        var filter = try filters.filterWithoutStaff()
        let destination: ExportDestination
        do { destination = try ExportDestination(path: output, replaceExisting: force) } catch { throw CLIError("\(error)") }
        let opened = try store.openForReading()
        defer { opened.close() }
        let reader = try signIn.reader(for: opened)
        let staff = try reader.staff(accountID: nil)
        try filters.addStaff(to: &filter, staff: staff)
        let database = reader
        let moment = try now.map { try parseNow($0, zone: database.timeZone) } ?? Date()
        let heading = ExportHeading(
            accountName: reader.account.name,
            filterWords: FilterChoices.words(filter, staff: staff),
            producedBy: reader.user.name,
            producedAt: Date(), timeZone: database.timeZone)
        let total = try database.statusCounts(matching: filter, now: moment).total
        var settings = ExportSettings()
        settings.csvByteOrderMark = !noBOM
        settings.pdfRowLimit = pdfMaxRows
        settings.sheetRowLimit = sheetRowLimit
        settings.forceZip64 = zip64
        settings.pdfFontPath = pdfFont
        let rowFilter = filter
        let source = ExportRowSource(
            summaries: { try database.summaries(matching: rowFilter, from: $0, direction: .older, limit: $1, now: moment) },
            details: { try database.statusDetails(emailIDs: $0) },
            links: { try database.resendLinks(emailIDs: $0) })
        let meter = ProgressMeter(total: total, enabled: isatty(STDERR_FILENO) == 1)
        InterruptFlag.install()
        let outcome: SummaryExport.Outcome
        do {
            outcome = try SummaryExport.run(format: fileFormat, destination: destination, heading: heading,
                                            settings: settings, expectedRows: total, source: source) { written in
                meter.update(written)
                return !InterruptFlag.isSet
            }
        } catch {
            meter.clear()
            throw CLIError("\(error)")
        }
        meter.clear()
        if let warning = outcome.warning { Console.printError("warning: \(warning)") }
        Console.printError("Wrote \(Count.text(outcome.rows)) row\(outcome.rows == 1 ? "" : "s") to \(outcome.path)")
    }
}

/// "Exporting 12,000 of 50,000 rows (24%) · 35,000 rows/s" on stderr, at most ten times a second.
final class ProgressMeter {
    let total: Int
    let enabled: Bool
    private let started = Date()
    private var lastDrawn = Date.distantPast
    private var drawn = false

    init(total: Int, enabled: Bool) {
        self.total = total
        self.enabled = enabled
    }

    func update(_ written: Int) {
        guard enabled, Date().timeIntervalSince(lastDrawn) >= 0.1 else { return }
        lastDrawn = Date()
        let elapsed = max(0.001, Date().timeIntervalSince(started))
        let percent = total > 0 ? " (\(min(100, written * 100 / total))%)" : ""
        let line = "Exporting \(Count.text(written)) of \(Count.text(max(total, written))) rows\(percent) · \(Count.text(Int(Double(written) / elapsed))) rows/s"
        Console.progressLine("\(line)")
        drawn = true
    }

    func clear() {
        if drawn { Console.clearProgressLine() }
        drawn = false
    }
}

/// Ctrl-C, SIGTERM and SIGHUP during an export: the export stops at the next page and
/// removes its temporary file.
enum InterruptFlag {
    nonisolated(unsafe) static var raised: sig_atomic_t = 0

    static var isSet: Bool { raised != 0 }

    static func install() {
        for signalNumber in [SIGINT, SIGTERM, SIGHUP] {
            signal(signalNumber) { _ in InterruptFlag.raised = 1 }
        }
    }
}
