import AuditCore
import Foundation

/// The formats the screen exports to (`x` Excel, `p` PDF).
public enum ScreenExportFormat: String, Sendable, Hashable, CaseIterable {
    case excel, pdf

    /// The file name extension.
    public var fileExtension: String { self == .excel ? "xlsx" : "pdf" }

    /// The name people know it by.
    public var displayName: String { self == .excel ? "Excel" : "PDF" }
}

/// One export the screen asked for.
public struct ExportJob: Sendable, Hashable {
    /// Tells progress and answers of this job from those of an earlier one.
    public var id: Int
    public var format: ScreenExportFormat
    /// The full path of the file to write.
    public var path: String
    /// Whether an existing file may be replaced (only after the person said so).
    public var replaceExisting: Bool
    /// The list's filter: the export holds exactly the rows the list shows.
    public var filter: EmailFilter
    /// The filter in words, for the export's heading.
    public var filterWords: String
    /// The account's name and the signed-in user, for the heading.
    public var accountName: String
    public var userName: String
    /// The number of rows expected (from the roll-ups), when known.
    public var expectedRows: Int?

    public init(id: Int, format: ScreenExportFormat, path: String, replaceExisting: Bool, filter: EmailFilter,
                filterWords: String, accountName: String, userName: String, expectedRows: Int?) {
        self.id = id
        self.format = format
        self.path = path
        self.replaceExisting = replaceExisting
        self.filter = filter
        self.filterWords = filterWords
        self.accountName = accountName
        self.userName = userName
        self.expectedRows = expectedRows
    }
}

/// How an export ended.
public enum ExportJobResult: Sendable, Hashable {
    /// The file was written.
    case written(path: String, rows: Int, warning: String?)
    /// The file exists and the person has not said to replace it.
    case fileExists(path: String)
    /// The person cancelled; no file was left.
    case cancelled
    /// It failed; the text says why in one line.
    case failed(String)
}

/// Writes exports for the screen. The executable wires the Export module in; the screen only
/// knows this protocol.
public protocol ScreenExporter: Sendable {
    /// Writes the job's file. `progress` is called with the rows written so far, at least
    /// once per page; returning false cancels (the exporter then leaves no file).
    func export(_ job: ExportJob, now: Date, progress: @escaping (Int) -> Bool) -> ExportJobResult
}

/// The export pop-up: the file name, then the progress, then the outcome.
public struct ExportDialogState: Sendable, Hashable {
    public enum Phase: Sendable, Hashable {
        /// The file name is being typed.
        case naming
        /// The file exists: Enter replaces it, typing changes the name.
        case confirmReplace
        /// Writing; Esc cancels.
        case running
        /// Esc was pressed; waiting for the writer to stop and remove its file.
        case cancelling
        /// Done: the path and the rows.
        case finished(path: String, rows: Int, warning: String?)
        /// Failed with a one-line reason.
        case failed(String)
    }

    public var format: ScreenExportFormat
    /// The folder the file goes in.
    public var folder: String
    /// The file name as typed.
    public var fileName: String
    public var phase: Phase
    /// The job id while running.
    public var jobID: Int
    /// Rows written so far and seconds since the start.
    public var written: Int
    public var elapsed: Double
    /// Rows expected (from the roll-ups).
    public var total: Int?

    public init(format: ScreenExportFormat, folder: String, fileName: String, total: Int?) {
        self.format = format
        self.folder = folder
        self.fileName = fileName
        phase = .naming
        jobID = 0
        written = 0
        elapsed = 0
        self.total = total
    }

    /// The full path of the file.
    public var path: String {
        fileName.hasPrefix("/") ? fileName : (folder as NSString).appendingPathComponent(fileName)
    }

    /// Rows per second so far.
    public var rate: Int { elapsed > 0 ? Int(Double(written) / elapsed) : 0 }
}

/// Suggested export file names.
public enum ExportFileName {
    /// "email-audit_harbour-lets_2026-12-02_failed_last-7-days.xlsx".
    public static func suggested(accountName: String, filter: EmailFilter, staff: [StaffUser], today: CalendarDay,
                                 format: ScreenExportFormat) -> String {
        var parts = ["email-audit", slug(accountName)]
        parts.append(String(format: "%04d-%02d-%02d", today.year, today.month, today.day))
        if !filter.statuses.isEmpty {
            parts.append(filter.statuses.sorted().map(\.argumentName).joined(separator: "+"))
        }
        if !filter.raisedBy.isEmpty {
            let names = staff.filter { filter.raisedBy.contains($0.id) }.map(\.name).sorted()
            parts.append(slug(names.isEmpty ? "raised-by" : names.joined(separator: " ")))
        }
        if let to = filter.to { parts.append(slug(to.description.replacingOccurrences(of: "*", with: ""))) }
        if let subject = filter.subject { parts.append(slug(subject)) }
        parts.append(slug(filter.dateRange.displayName))
        return parts.filter { !$0.isEmpty }.joined(separator: "_") + "." + format.fileExtension
    }

    /// Lower-case ASCII letters and digits joined by single hyphens ("Zoë Clarke" → "zoe-clarke").
    public static func slug(_ text: String) -> String {
        var out = ""
        var pendingHyphen = false
        for character in ASCIIFallback.text(text).lowercased() {
            if character.isASCII, character.isLetter || character.isNumber {
                if pendingHyphen, !out.isEmpty { out.append("-") }
                pendingHyphen = false
                out.append(character)
            } else {
                pendingHyphen = true
            }
        }
        return String(out.prefix(60))
    }
}
