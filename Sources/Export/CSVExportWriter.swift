import AuditCore
import Foundation

/// RFC 4180 CSV of the export columns: a header row, CRLF line ends, UTF-8 with a byte-order
/// mark unless asked not to, and every cell through the formula guard of
/// ``CSVSummaryWriter/quote(_:)`` so a spreadsheet never runs one as a formula.
///
/// Cells whose first character is an ASCII letter or digit cannot be a formula, so they skip
/// the guard and are only quoted (RFC 4180) when they hold a comma, a quote or a line break;
/// every other cell goes through the guard. The guarded texts of the few-valued columns
/// (people, statuses, details, advice) are remembered.
///
/// Rows are formatted and written on a second thread (``RowPipeline``) while the caller reads
/// the next page, so on two cores the store and the formatting run side by side.
final class CSVExportWriter: ExportFileWriter, @unchecked Sendable {
    private let sink: ByteSink
    private let cells: ExportCellText
    private let byteOrderMark: Bool
    private var quoted: [String: String] = [:]
    private var line: [UInt8] = []
    private var pipeline: RowPipeline?

    init(path: String, heading: ExportHeading, byteOrderMark: Bool) throws {
        sink = try ByteSink(creating: path)
        cells = ExportCellText(timeZone: heading.timeZone)
        self.byteOrderMark = byteOrderMark
        line.reserveCapacity(1 << 20)
    }

    func begin() throws {
        if byteOrderMark { try sink.write(bytes: [0xEF, 0xBB, 0xBF]) }
        try sink.write(ExportColumn.allCases.map { CSVSummaryWriter.quote($0.title) }.joined(separator: ",") + "\r\n")
    }

    func write(_ row: ExportRow) throws {
        if pipeline == nil {
            // Only the pipeline's thread touches the cells, the line and the sink from here on.
            pipeline = RowPipeline { [unowned self] rows in try format(rows) }
        }
        try pipeline!.append(row)
    }

    private func format(_ rows: [ExportRow]) throws {
        // A local buffer: appending to a stored property byte by byte would pay for a dynamic
        // exclusivity check on every byte.
        var out = line
        line = []
        for row in rows {
            for column in ExportColumn.allCases {
                if column.rawValue > 0 { out.append(0x2C) }
                append(cells.text(column, of: row), repeating: Self.repeats(column), to: &out)
            }
            out.append(0x0D)
            out.append(0x0A)
        }
        try sink.write(bytes: out)
        out.removeAll(keepingCapacity: true)
        line = out
    }

    /// The few-valued columns, whose guarded texts are remembered.
    private static func repeats(_ column: ExportColumn) -> Bool {
        switch column {
        case .raisedBy, .status, .statusDetail, .activity, .recommendedAction: true
        default: false
        }
    }

    /// Appends one cell: plain, quoted, or through the guard.
    private func append(_ text: String, repeating: Bool, to out: inout [UInt8]) {
        var text = text
        if text.withUTF8({ Self.appendPlain($0, to: &out) }) { return }
        let result: String
        if repeating, let known = quoted[text] {
            result = known
        } else {
            result = CSVSummaryWriter.quote(text)
            if repeating {
                if quoted.count >= 10_000 { quoted.removeAll(keepingCapacity: true) }
                quoted[text] = result
            }
        }
        out.append(contentsOf: result.utf8)
    }

    /// Appends a cell that starts with an ASCII letter or digit (so cannot be a formula),
    /// quoted when it holds a comma, a quote or a line break; false for any other cell.
    @inline(__always)
    private static func appendPlain(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) -> Bool {
        guard let first = bytes.first else { return true }
        let alphanumeric = (first >= 0x30 && first <= 0x39) || (first | 0x20 >= 0x61 && first | 0x20 <= 0x7A)
        guard alphanumeric else { return false }
        var special = false
        for byte in bytes where byte == 0x2C || byte == 0x22 || byte == 0x0A || byte == 0x0D {
            special = true
            break
        }
        if !special {
            out.append(contentsOf: bytes)
            return true
        }
        out.append(0x22)
        for byte in bytes {
            out.append(byte)
            if byte == 0x22 { out.append(0x22) }
        }
        out.append(0x22)
        return true
    }

    func finish() throws {
        try pipeline?.finish()
        try sink.finish()
    }

    func abandon() {
        pipeline?.stop()
        sink.abandon()
    }
}
