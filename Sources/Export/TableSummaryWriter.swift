import AuditCore
import Foundation

/// A plain-text table for the terminal: the email id (for `email-audit show ID`), then the
/// summary columns; long cells are cut with "…".
///
/// With `ascii` (a terminal whose locale is not UTF-8), cells are transliterated by
/// ``ASCIIFallback`` before they are cut, and cuts end in "...".
public struct TableSummaryWriter: SummaryWriter {
    let format: UKDateFormat
    let widths: [SummaryColumn: Int]
    let ascii: Bool
    /// Whether long cells are cut to fit the width (false: whole cells, for pipes and files).
    let cuts: Bool

    /// A table `width` columns wide (nil writes every cell whole); `ascii` transliterates it.
    public init(timeZone: TimeZone, width: Int?, ascii: Bool = false) {
        self.ascii = ascii
        format = UKDateFormat(timeZone: timeZone)
        cuts = width != nil
        let fixed: [SummaryColumn: Int] = [.date: 16, .raisedBy: 18, .status: 17, .activity: 13]
        let rest = max(20, (width ?? 200) - fixed.values.reduce(0, +) - Self.idWidth - 6 * 2)
        var widths = fixed
        widths[.to] = max(12, rest * 2 / 5)
        widths[.subject] = max(8, rest - widths[.to]!)
        self.widths = widths
    }

    static let idWidth = 8

    public mutating func begin(into output: inout some TextOutputStream) {
        output.write(line(id: "Id", SummaryColumn.allCases.map(\.title)) + "\n")
    }

    public mutating func write(_ summary: EmailSummary, into output: inout some TextOutputStream) {
        output.write(line(id: String(summary.id), SummaryColumn.allCases.map { $0.value(of: summary, format: format) }) + "\n")
    }

    public mutating func end(into output: inout some TextOutputStream) {}

    func line(id: String, _ cells: [String]) -> String {
        let padded = String(repeating: " ", count: max(0, Self.idWidth - id.count)) + id
        return ([padded] + zip(SummaryColumn.allCases, cells).map { column, cell in
            ascii ? Self.fitASCII(ASCIIFallback.text(cell), width: widths[column]!, cut: cuts)
                  : Self.fit(cell, width: widths[column]!, cut: cuts)
        }).joined(separator: "  ").replacingOccurrences(of: " +$", with: "", options: .regularExpression)
    }

    /// Pads or cuts `text` to `width` characters, ending a cut with "…" (only pads when `cut` is false).
    static func fit(_ text: String, width: Int, cut: Bool = true) -> String {
        if text.count <= width || !cut { return text + String(repeating: " ", count: max(0, width - text.count)) }
        return String(text.prefix(width - 1)) + "…"
    }

    /// Pads or cuts ASCII `text` to `width` characters, ending a cut with "...".
    static func fitASCII(_ text: String, width: Int, cut: Bool = true) -> String {
        if text.count <= width || !cut { return text + String(repeating: " ", count: max(0, width - text.count)) }
        return String(text.prefix(max(0, width - 3))) + "..."
    }
}
