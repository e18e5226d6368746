import AuditCore
import Foundation

/// RFC 4180 CSV of the export columns: a header row, CRLF line ends, UTF-8 with a byte-order
/// mark unless asked not to, and every cell through the formula guard of
/// ``CSVSummaryWriter/quote(_:)`` so a spreadsheet never runs one as a formula.
///
/// Only cells that cannot need the guard or quoting skip it: plain ASCII starting with a
/// letter or a digit, with no comma, quote or line break. The texts of the few-valued columns
/// (people, statuses, details, advice) are guarded once each and remembered.
final class CSVExportWriter: ExportFileWriter {
    private let sink: ByteSink
    private let cells: ExportCellText
    private let byteOrderMark: Bool
    private var quoted: [String: String] = [:]
    private static let repeating: Set<ExportColumn> = [.raisedBy, .status, .statusDetail, .activity, .recommendedAction]

    init(path: String, heading: ExportHeading, byteOrderMark: Bool) throws {
        sink = try ByteSink(creating: path)
        cells = ExportCellText(timeZone: heading.timeZone)
        self.byteOrderMark = byteOrderMark
    }

    /// The cell through the formula guard and RFC 4180 quoting.
    private func guarded(_ text: String, repeating: Bool) -> String {
        if Self.isPlain(text) { return text }
        if repeating, let known = quoted[text] { return known }
        let result = CSVSummaryWriter.quote(text)
        if repeating {
            if quoted.count >= 10_000 { quoted.removeAll(keepingCapacity: true) }
            quoted[text] = result
        }
        return result
    }

    /// ASCII, starting with a letter or digit, and free of , " CR LF: nothing to guard or quote.
    static func isPlain(_ text: String) -> Bool {
        var first = true
        for byte in text.utf8 {
            if first {
                first = false
                let isAlphanumeric = (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A)
                if !isAlphanumeric { return false }
            }
            if byte >= 0x80 || byte < 0x20 || byte == 0x2C || byte == 0x22 { return false }
        }
        return true
    }

    func begin() throws {
        if byteOrderMark { try sink.write(bytes: [0xEF, 0xBB, 0xBF]) }
        try sink.write(ExportColumn.allCases.map { CSVSummaryWriter.quote($0.title) }.joined(separator: ",") + "\r\n")
    }

    func write(_ row: ExportRow) throws {
        var line = ""
        for column in ExportColumn.allCases {
            if column.rawValue > 0 { line += "," }
            line += guarded(cells.text(column, of: row), repeating: Self.repeating.contains(column))
        }
        line += "\r\n"
        try sink.write(line)
    }

    func finish() throws { try sink.finish() }

    func abandon() { sink.abandon() }
}
