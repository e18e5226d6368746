import AuditCore
import Foundation

/// RFC 4180 CSV with a header row. Cells that a spreadsheet would run as a formula
/// (starting with =, +, -, @) are prefixed with an apostrophe.
public struct CSVSummaryWriter: SummaryWriter {
    let format: UKDateFormat

    public init(timeZone: TimeZone) {
        format = UKDateFormat(timeZone: timeZone)
    }

    /// The columns after the summary's: the provider's code and message, the advice, and the
    /// resend links ("Resend of #12; Resent as #40").
    public static let extraTitles = ["Status code", "Status message", "Recommended action", "Resend link"]

    public mutating func begin(into output: inout some TextOutputStream) {
        output.write((["Id"] + SummaryColumn.allCases.map(\.title) + Self.extraTitles).map(Self.quote).joined(separator: ",") + "\r\n")
    }

    public mutating func write(_ summary: EmailSummary, into output: inout some TextOutputStream) {
        write(summary, extras: SummaryExtras(summary: summary, statusDetail: nil), into: &output)
    }

    public mutating func write(_ summary: EmailSummary, extras: SummaryExtras, into output: inout some TextOutputStream) {
        let cells = [String(summary.id)] + SummaryColumn.allCases.map { $0.value(of: summary, format: format) }
            + [extras.code, extras.message, extras.recommendedAction, extras.links.text]
        output.write(cells.map(Self.quote).joined(separator: ",") + "\r\n")
    }

    public var carriesExtras: Bool { true }

    public mutating func end(into output: inout some TextOutputStream) {}

    /// Whether a spreadsheet could read `cell` as a formula: its first Unicode scalar (not its
    /// first character, which a combining mark after `=` would hide) is `=`, `+`, `-` or `@`,
    /// their full-width forms, or a tab or carriage return, possibly after leading spaces.
    public static func startsLikeAFormula(_ cell: String) -> Bool {
        guard let first = cell.unicodeScalars.first(where: { $0 != " " }) else { return false }
        switch first {
        case "=", "+", "-", "@", "\u{FF1D}", "\u{FF0B}", "\u{FF0D}", "\u{FF20}", "\t", "\r": return true
        default: return false
        }
    }

    /// Quotes one cell.
    public static func quote(_ cell: String) -> String {
        var text = cell
        if startsLikeAFormula(text) { text = "'" + text }
        if text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return text
    }
}
