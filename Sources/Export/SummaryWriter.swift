import AuditCore
import Foundation

/// Writes email summaries in one format, row by row, so any range streams in constant memory.
public protocol SummaryWriter {
    /// Called once before the first row.
    mutating func begin(into output: inout some TextOutputStream)
    /// Called for each summary, newest first.
    mutating func write(_ summary: EmailSummary, into output: inout some TextOutputStream)
    /// Called once after the last row.
    mutating func end(into output: inout some TextOutputStream)
}

/// The output formats of `email-audit query`.
public enum SummaryFormat: String, CaseIterable, Sendable {
    case table, json, csv

    /// A writer for this format; `ascii` transliterates the table (CSV and JSON are always UTF-8).
    public func makeWriter(timeZone: TimeZone, width: Int = 120, ascii: Bool = false) -> any SummaryWriter {
        switch self {
        case .table: TableSummaryWriter(timeZone: timeZone, width: width, ascii: ascii)
        case .json: JSONSummaryWriter(timeZone: timeZone)
        case .csv: CSVSummaryWriter(timeZone: timeZone)
        }
    }
}
