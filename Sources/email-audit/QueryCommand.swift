import ArgumentParser
import AuditCore
import AuditStore
import Export
import Foundation
import TerminalUI

struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Print the one-line summaries of matching emails, newest first.")

    @OptionGroup var store: StoreOptions

    @OptionGroup var filters: FilterOptions

    @OptionGroup var signIn: SignInOptions

    // Unconditional so that "--limit -1" reaches the check below instead of reading as an option.
    @Option(parsing: .unconditional, help: "At most this many rows (0 for all; default 100 for the table, all for CSV and JSON).")
    var limit: Int?

    @Option(help: ArgumentHelp("Table width in columns (default: the terminal's; not cut when not a terminal).", valueName: "N"))
    var width: Int?

    @Option(help: "The output format.")
    var format: SummaryFormat = .table

    @Flag(help: "Table in ASCII, names transliterated (automatic on a terminal whose locale is not UTF-8, or with EMAIL_AUDIT_ASCII=1). CSV and JSON are always UTF-8.")
    var ascii = false

    func run() throws {
        // Validate everything before touching the store.
        let outputFormat = format
        let limit = self.limit ?? (outputFormat == .table ? 100 : 0)
        guard limit >= 0 else { throw CLIError("--limit \(limit) is not a number of rows; use a positive number, or 0 for all") }
        if let width, width < 40 { throw CLIError("--width \(width) is too narrow for the table; use 40 or more") }
        guard !ascii || outputFormat == .table else {
            throw CLIError("--ascii applies to the table format only; CSV and JSON are always UTF-8")
        }
        var filter = try filters.filterWithoutStaff()
        let opened = try store.openForReading()
        defer { opened.close() }
        let database = try signIn.reader(for: opened)
        if !filters.raisedBy.isEmpty {
            // An ASCII spelling as the ASCII table shows it ("Lukasz Nowak") matches too.
            try filters.addStaff(to: &filter, staff: try database.staff(accountID: nil))
        }
        var writer = outputFormat.makeWriter(timeZone: database.timeZone, width: width ?? Self.terminalWidth(),
                                             ascii: outputFormat == .table && (ascii || Self.terminalNeedsASCII()))
        var output = StandardOutput()
        writer.begin(into: &output)
        var cursor: EmailCursor?
        var written = 0
        let now = Date()
        while limit == 0 || written < limit {
            let pageSize = limit == 0 ? 500 : min(500, limit - written)
            let page = try database.summaries(matching: filter, from: cursor, direction: .older, limit: pageSize, now: now)
            if writer.carriesExtras {
                let details = try database.statusDetails(emailIDs: page.map(\.id))
                let links = try database.resendLinks(emailIDs: page.map(\.id))
                for summary in page {
                    let extras = SummaryExtras(summary: summary, statusDetail: details[summary.id],
                                               links: links[summary.id] ?? ResendLinks())
                    writer.write(summary, extras: extras, into: &output)
                }
            } else {
                for summary in page { writer.write(summary, into: &output) }
            }
            written += page.count
            guard page.count == pageSize, let last = page.last else { break }
            cursor = last.cursor
        }
        writer.end(into: &output)
        output.flush()
        if limit > 0, written == limit,
           let more = try? database.summaries(matching: filter, from: cursor, direction: .older, limit: 1, now: now),
           !more.isEmpty {
            // Stopped short of the full result: say so, with the whole count.
            let total = max(written + 1, (try? database.statusCounts(matching: filter, now: now).total) ?? 0)
            Console.printError("\(Count.text(written)) of \(Count.text(total)) shown; --limit 0 for all")
        }
        if outputFormat == .table {
            Console.printError("\(written) email\(written == 1 ? "" : "s") (\(filter.dateRange.displayName))")
        }
        if written == 0, case .exact(let address) = filter.to {
            Console.printError("no email to \(address) (\(filter.dateRange.displayName)); did you mean \(address)*?")
        }
    }

    static func day(_ text: String, option: String) throws -> CalendarDay {
        guard let day = CalendarDay(parsing: text) else {
            throw CLIError("\(option) '\(text)' is not a date; use dd/mm/yyyy")
        }
        return day
    }

    /// Whether standard output is a terminal that can only show ASCII (its locale is not
    /// UTF-8, or EMAIL_AUDIT_ASCII=1); a pipe or a file always gets UTF-8.
    static func terminalNeedsASCII() -> Bool {
        guard isatty(STDOUT_FILENO) == 1 else { return false }
        return TerminalLocale.asciiRequested(environment: ProcessInfo.processInfo.environment) || !TerminalLocale.isUTF8
    }

    /// The terminal's width when standard output is one (nil otherwise: the table is not cut).
    static func terminalWidth() -> Int? {
        guard isatty(STDOUT_FILENO) == 1 else { return nil }
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col >= 40 { return Int(size.ws_col) }
        if let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), columns >= 40 { return columns }
        return 120
    }
}

/// Standard output as a buffered text stream for the exports (flushed every 64 KB and by
/// `flush()`). Whatever a writer produces is neutralised as a document on the way out: line
/// ends stay, every other character a terminal would act on is replaced.
struct StandardOutput: TextOutputStream {
    private var buffer = ""

    mutating func write(_ string: String) {
        buffer += string
        if buffer.utf8.count >= 65_536 { flush() }
    }

    mutating func flush() {
        Console.writeDocument(buffer)
        buffer = ""
    }
}
