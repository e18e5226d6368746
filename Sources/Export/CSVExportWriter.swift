import AuditCore
import Foundation

/// RFC 4180 CSV of the export columns: a header row, CRLF line ends, UTF-8 with a byte-order
/// mark unless asked not to, and every cell through the formula guard of
/// ``CSVSummaryWriter/quote(_:)`` so a spreadsheet never runs one as a formula.
final class CSVExportWriter: ExportFileWriter {
    private let sink: ByteSink
    private let format: UKDateFormat
    private let byteOrderMark: Bool

    init(path: String, heading: ExportHeading, byteOrderMark: Bool) throws {
        sink = try ByteSink(creating: path)
        format = UKDateFormat(timeZone: heading.timeZone)
        self.byteOrderMark = byteOrderMark
    }

    func begin() throws {
        if byteOrderMark { try sink.write(bytes: [0xEF, 0xBB, 0xBF]) }
        try sink.write(ExportColumn.allCases.map { CSVSummaryWriter.quote($0.title) }.joined(separator: ",") + "\r\n")
    }

    func write(_ row: ExportRow) throws {
        var line = ""
        for column in ExportColumn.allCases {
            if column.rawValue > 0 { line += "," }
            line += CSVSummaryWriter.quote(column.text(of: row, format: format))
        }
        line += "\r\n"
        try sink.write(line)
    }

    func finish() throws { try sink.finish() }

    func abandon() { sink.abandon() }
}
