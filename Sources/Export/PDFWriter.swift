import AuditCore
import Foundation

/// An A4 landscape PDF of the export, page by page as the rows stream in.
///
/// Page 1 carries the title, the filter in words and when and by whom it was produced; every
/// page repeats the header row and says "Page N of M" (M is a form drawn on every page and
/// written once at the end, so pages never wait for the total). Cells are cut with "…" by
/// the font's real glyph widths. The font is a TrueType font embedded as a CID font with a
/// ToUnicode map and subset to the glyphs used, with per-character fallback faces found
/// through fontconfig (``PDFFont``); without one, Helvetica with transliteration and a
/// visible warning. Pages share one resource dictionary, written at the end, so a fallback
/// font first needed on page 90 is there for every page.
final class PDFWriter: ExportFileWriter {
    static let pageWidth = 842.0, pageHeight = 595.0, margin = 28.0
    static let fontSize = 7.0, rowHeight = 10.5, headerHeight = 12.0
    /// Column widths in points (they add up to the page width less the margins).
    static let columnWidths: [Double] = [34, 70, 110, 100, 74, 74, 96, 56, 90, 82]

    private let sink: ByteSink
    private let heading: ExportHeading
    private let rowLimit: Int
    private let font: PDFFont
    private let cells: ExportCellText
    private var fontWarning: String?
    /// What the person should know: no TrueType font, or characters no font could show.
    var warning: String? {
        let parts = [fontWarning, font.missingWarning].compactMap { $0 }
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
    }

    private var offsets: [Int: Int64] = [:]
    private var nextObject = 5
    private var pageObjects: [Int] = []
    private var content = ""
    private var y = 0.0
    private var rows = 0

    // Fixed object numbers: 1 catalog, 2 page tree, 3 the total-pages form, 4 the pages'
    // resources; the fonts are numbered at the end.
    private static let catalogObject = 1, pagesObject = 2, totalObject = 3, resourcesObject = 4

    init(path: String, heading: ExportHeading, rowLimit: Int, fontPath: String?,
         fallbacks: @escaping (Unicode.Scalar) -> [FontLookup.Face] = FontLookup.trueTypeFaces) throws {
        sink = try ByteSink(creating: path)
        self.heading = heading
        self.rowLimit = rowLimit
        cells = ExportCellText(timeZone: heading.timeZone)
        var trueType: TrueTypeFont?
        if let fontPath, !fontPath.isEmpty { trueType = try? TrueTypeFont(path: fontPath) }
        font = PDFFont(trueType: trueType, fallbacks: fallbacks)
        if trueType == nil {
            fontWarning = "no TrueType font was found (fontconfig's \"DejaVu Sans\"); the PDF uses Helvetica and shows names in ASCII"
        }
    }

    func begin() throws {
        try sink.write("%PDF-1.7\n%\u{E2}\u{E3}\u{CF}\u{D3}\n")
        startPage()
    }

    func write(_ row: ExportRow) throws {
        rows += 1
        if rows > rowLimit { throw ExportError.tooManyRowsForPDF(rows: rows, limit: rowLimit) }
        if y - Self.rowHeight < Self.margin + 14 {
            try finishPage()
            startPage()
        }
        y -= Self.rowHeight
        var x = Self.margin
        for column in ExportColumn.allCases {
            let width = Self.columnWidths[column.rawValue]
            let raw = cells.text(column, of: row)
            let text = font.fit(font.prepare(raw), size: Self.fontSize, maxWidth: width - 4)
            if column == .status { content += Self.colour(row.summary.status.tone) }
            content += "BT \(Self.number(x + 2)) \(Self.number(y + 3)) Td \(font.show(text, size: Self.fontSize)) ET\n"
            if column == .status { content += "0 g\n" }
            x += width
        }
    }

    func finish() throws {
        try finishPage()
        // The total page count, drawn by every page's footer.
        let total = "BT 0 0 Td \(font.show(String(pageObjects.count), size: 8)) ET"
        let fonts = font.objects(startingAt: nextObject, compress: { Deflater.compress($0, format: .zlib) })
        nextObject = fonts.next
        try writeStream(Self.totalObject, dictionary: "/Type /XObject /Subtype /Form /BBox [0 0 200 20] /Resources << /Font << \(font.resourceEntries) >> >>", body: Array(total.utf8))
        for (number, bytes) in fonts.objects {
            try writeObject(number, bytes)
        }
        try writeObject(Self.resourcesObject, Array("<< /Font << \(font.resourceEntries) >> /XObject << /Total \(Self.totalObject) 0 R >> >>".utf8))
        try writeObject(Self.pagesObject, Array("<< /Type /Pages /Kids [\(pageObjects.map { "\($0) 0 R" }.joined(separator: " "))] /Count \(pageObjects.count) >>".utf8))
        let info = nextObject
        nextObject += 1
        try writeObject(info, Array("<< /Title \(Self.textString(heading.title)) /Subject \(Self.textString(heading.filterLine)) /Author \(Self.textString(heading.producedBy)) /Producer (email-audit) >>".utf8))
        try writeObject(Self.catalogObject, Array("<< /Type /Catalog /Pages \(Self.pagesObject) 0 R >>".utf8))
        let xref = sink.bytesWritten
        var table = "xref\n0 \(nextObject)\n0000000000 65535 f \n"
        for number in 1..<nextObject {
            let offset = offsets[number] ?? 0
            table += String(repeating: "0", count: max(0, 10 - String(offset).count)) + String(offset) + (offsets[number] == nil ? " 00000 f \n" : " 00000 n \n")
        }
        table += "trailer\n<< /Size \(nextObject) /Root \(Self.catalogObject) 0 R /Info \(info) 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
        try sink.write(table)
        try sink.finish()
    }

    func abandon() { sink.abandon() }

    // MARK: Pages

    private func startPage() {
        content = ""
        y = Self.pageHeight - Self.margin
        let pageNumber = pageObjects.count + 1
        if pageNumber == 1 {
            y -= 16
            line(heading.title, x: Self.margin, size: 14, bold: true)
            for text in [heading.filterLine, heading.producedLine] {
                y -= 13
                line(text, x: Self.margin, size: 9)
            }
            if let warning = fontWarning {
                y -= 13
                content += "0.75 0 0 rg\n"
                line("Warning: " + warning + ".", x: Self.margin, size: 9, bold: true)
                content += "0 g\n"
            }
            y -= 8
        }
        // The header row on a grey band, repeated on every page.
        let usable = Self.pageWidth - 2 * Self.margin
        y -= Self.headerHeight
        content += "0.88 g \(Self.number(Self.margin)) \(Self.number(y)) \(Self.number(usable)) \(Self.number(Self.headerHeight)) re f 0 g\n"
        var x = Self.margin
        for column in ExportColumn.allCases {
            let width = Self.columnWidths[column.rawValue]
            let text = font.fit(font.prepare(column.title), size: Self.fontSize, maxWidth: width - 4)
            content += "2 Tr 0.2 w BT \(Self.number(x + 2)) \(Self.number(y + 3.5)) Td \(font.show(text, size: Self.fontSize)) ET 0 Tr\n"
            x += width
        }
        // Footer: what this is (left), Page N of M (right).
        let footer = font.fit(font.prepare(heading.title + " · " + heading.filterWordsShort), size: 8, maxWidth: usable - 120)
        content += "0.35 g BT \(Self.number(Self.margin)) 14 Td \(font.show(footer, size: 8)) ET\n"
        let label = font.prepare("Page \(pageNumber) of ")
        let labelX = Self.pageWidth - Self.margin - 90
        content += "BT \(Self.number(labelX)) 14 Td \(font.show(label, size: 8)) ET\n"
        content += "q 1 0 0 1 \(Self.number(labelX + font.width(label, size: 8))) 14 cm /Total Do Q 0 g\n"
    }

    private func line(_ text: String, x: Double, size: Double, bold: Bool = false) {
        let fitted = font.fit(font.prepare(text), size: size, maxWidth: Self.pageWidth - 2 * Self.margin)
        content += (bold ? "2 Tr 0.3 w " : "") + "BT \(Self.number(x)) \(Self.number(y)) Td \(font.show(fitted, size: size)) ET" + (bold ? " 0 Tr" : "") + "\n"
    }

    private func finishPage() throws {
        let contentObject = nextObject, pageObject = nextObject + 1
        nextObject += 2
        try writeStream(contentObject, dictionary: "", body: Array(content.utf8))
        try writeObject(pageObject, Array("""
            << /Type /Page /Parent \(Self.pagesObject) 0 R /MediaBox [0 0 \(Int(Self.pageWidth)) \(Int(Self.pageHeight))] \
            /Resources \(Self.resourcesObject) 0 R \
            /Contents \(contentObject) 0 R >>
            """.utf8))
        pageObjects.append(pageObject)
        content = ""
    }

    // MARK: Objects

    private func writeObject(_ number: Int, _ body: [UInt8]) throws {
        offsets[number] = sink.bytesWritten
        try sink.write("\(number) 0 obj\n")
        try sink.write(bytes: body)
        try sink.write("\nendobj\n")
    }

    private func writeStream(_ number: Int, dictionary: String, body: [UInt8]) throws {
        let packed = Deflater.compress(body, format: .zlib)
        try writeObject(number, Array("<< \(dictionary) /Length \(packed.count) /Filter /FlateDecode >>\nstream\n".utf8) + packed + Array("\nendstream".utf8))
    }

    static func number(_ value: Double) -> String {
        let rounded = (value * 100).rounded() / 100
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }

    static func colour(_ tone: StatusTone) -> String {
        switch tone {
        case .ok: "0.12 0.48 0.2 rg\n"
        case .warning: "0.7 0.42 0 rg\n"
        case .error: "0.75 0 0 rg\n"
        case .muted: "0.5 0.5 0.5 rg\n"
        }
    }

    /// A PDF text string (UTF-16BE with a byte-order mark) for the document information.
    static func textString(_ text: String) -> String {
        "<FEFF" + text.utf16.map { PDFFont.hex4($0) }.joined() + ">"
    }
}

extension ExportHeading {
    /// The filter words for the footer.
    var filterWordsShort: String { TerminalText.singleLine(filterWords) }
}
