import AuditCore
import Foundation

/// An Excel workbook written as the rows stream in.
///
/// Each sheet's rows are deflated as they come into a temporary file beside the workbook;
/// when the sheet is full (or the rows end) the sheet XML's opening — column widths fitted to
/// what was written, the frozen header row — and its close (the autofilter) are deflated on
/// their own and the three streams laid end to end as one zip entry (``ZipWriter``), so
/// memory stays flat whatever the row count and no byte is compressed twice. Repeated texts (people, statuses, status details, advice) are
/// shared strings up to a bounded table; the rest are inline strings. Dates are real Excel
/// date-time numbers of the local wall clock in the export's zone. Past the sheet row limit
/// the rows continue on "Emails 2", "Emails 3", ...
public final class XLSXWriter: ExportFileWriter {
    /// The most rows an Excel sheet can hold.
    public static let excelRowLimit = 1_048_576
    /// Rows above the data: three heading lines, a blank line, the header row.
    static let headerRow = 5
    /// At most this many distinct shared strings; further texts are written inline.
    static let sharedStringLimit = 20_000

    private let path: String
    private let heading: ExportHeading
    private let sheetRowLimit: Int
    private let zip: ZipWriter
    private let cells: ExportCellText
    private let columns = ExportColumn.allCases

    private var sheetNames: [String] = []
    private var sheetLastRows: [Int] = []
    private var sheet: ByteSink?
    private var sheetDeflater: Deflater?
    /// Row bytes not yet handed to the deflater (it is fed in large chunks).
    private var pending: [UInt8] = []
    private var sheetPath = ""
    private var rowInSheet = 0
    private var widths: [Int] = []

    private var shared: [String: Int] = [:]
    private var sharedOrder: [String] = []
    private var sharedUses = 0

    /// Columns whose texts repeat, written as shared strings.
    private static let sharedColumns: Set<ExportColumn> = [.raisedBy, .status, .statusDetail, .activity, .recommendedAction]

    init(path: String, heading: ExportHeading, sheetRowLimit: Int, forceZip64: Bool = false) throws {
        self.path = path
        self.heading = heading
        self.sheetRowLimit = max(Self.headerRow + 1, min(sheetRowLimit, Self.excelRowLimit))
        cells = ExportCellText(timeZone: heading.timeZone)
        zip = try ZipWriter(path: path, modified: heading.producedAt, timeZone: heading.timeZone, forceZip64: forceZip64)
        pending.reserveCapacity(Self.pendingLimit + 4096)
    }

    func begin() throws {
        try startSheet()
    }

    func write(_ row: ExportRow) throws {
        if rowInSheet >= sheetRowLimit {
            try finishSheet()
            try startSheet()
        }
        rowInSheet += 1
        // The row is assembled as bytes in a local buffer (no intermediate strings per cell,
        // and no exclusivity check per byte as a stored property would have).
        var out = RowBytes(bytes: pending)
        pending = []
        out.put("<row r=\""); out.putNumber(rowInSheet); out.put("\">")
        let summary = row.summary
        for column in columns {
            switch column {
            case .id:
                out.put("<c><v>"); out.putNumber(Int(summary.id)); out.put("</v></c>")
            case .dateTime:
                out.put("<c s=\"2\"><v>"); out.put(String(cells.excelSerial(of: row))); out.put("</v></c>")
            case .status:
                let index: Int
                if let known = statusShared[summary.status] {
                    index = known
                    sharedUses += 1
                } else {
                    let text = summary.status.displayName
                    note(text, column: column)
                    index = sharedIndex(text)
                    statusShared[summary.status] = index
                }
                out.put("<c s=\""); out.putNumber(Self.statusStyle(summary.status)); out.put("\" t=\"s\"><v>")
                out.putNumber(index); out.put("</v></c>")
            default:
                let text = cells.text(column, of: row)
                note(text, column: column)
                putCell(text, shareable: Self.sharedColumns.contains(column), into: &out)
            }
        }
        out.put("</row>")
        pending = out.bytes
        if pending.count >= Self.pendingLimit { try feed() }
    }

    /// Shared-string indexes of the statuses (their widths noted when first seen).
    private var statusShared: [EmailStatus: Int] = [:]

    /// Row bytes gathered before each call into zlib.
    private static let pendingLimit = 1 << 17

    private func feed() throws {
        try sheetDeflater!.write(pending)
        pending.removeAll(keepingCapacity: true)
    }

    /// A row's XML as it is assembled.
    private struct RowBytes {
        var bytes: [UInt8]

        @inline(__always)
        mutating func put(_ text: String) {
            var text = text
            text.withUTF8 { bytes.append(contentsOf: $0) }
        }

        mutating func putNumber(_ value: Int) {
            guard value >= 0 else { put(String(value)); return }
            var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
            var n = value, count = 0
            withUnsafeMutableBytes(of: &digits) { buffer in
                repeat {
                    buffer[count] = UInt8(0x30 + n % 10)
                    n /= 10
                    count += 1
                } while n > 0
                for index in stride(from: count - 1, through: 0, by: -1) { bytes.append(buffer[index]) }
            }
        }
    }

    private func putCell(_ text: String, shareable: Bool, into out: inout RowBytes) {
        if text.isEmpty { out.put("<c/>"); return }
        if shareable, let index = sharedIndexIfRoom(text) {
            out.put("<c t=\"s\"><v>"); out.putNumber(index); out.put("</v></c>")
            return
        }
        out.put("<c t=\"inlineStr\"><is><t xml:space=\"preserve\">"); out.put(XMLText.escape(text)); out.put("</t></is></c>")
    }

    func finish() throws {
        try finishSheet()
        try addPart("xl/sharedStrings.xml", sharedStringsXML())
        try addPart("xl/styles.xml", Self.stylesXML)
        try addPart("xl/workbook.xml", workbookXML())
        try addPart("xl/_rels/workbook.xml.rels", workbookRelsXML())
        try addPart("_rels/.rels", Self.rootRelsXML)
        try addPart("docProps/core.xml", coreXML())
        try addPart("[Content_Types].xml", contentTypesXML())
        // Every write checked, then synced and closed: a full disk is an error.
        try zip.finish()
    }

    func abandon() {
        sheet?.abandon()
        zip.abandon()
        if !sheetPath.isEmpty { unlink(sheetPath) }
    }

    // MARK: Cells

    private func note(_ text: String, column: ExportColumn) {
        // UTF-8 bytes bound the characters from above: most cells need no counting at all.
        guard text.utf8.count > widths[column.rawValue] else { return }
        let count = min(text.unicodeScalars.count, 80)
        if count > widths[column.rawValue] { widths[column.rawValue] = count }
    }

    private func sharedIndexIfRoom(_ text: String) -> Int? {
        if let index = shared[text] { sharedUses += 1; return index }
        guard sharedOrder.count < Self.sharedStringLimit else { return nil }
        return sharedIndex(text)
    }

    private func sharedIndex(_ text: String) -> Int {
        sharedUses += 1
        if let index = shared[text] { return index }
        let index = sharedOrder.count
        shared[text] = index
        sharedOrder.append(text)
        return index
    }

    static func statusStyle(_ status: EmailStatus) -> Int {
        switch status.tone {
        case .ok: 4
        case .warning: 5
        case .error: 6
        case .muted: 7
        }
    }

    // MARK: Sheets

    private func startSheet() throws {
        let number = sheetNames.count + 1
        sheetNames.append(number == 1 ? "Emails" : "Emails \(number)")
        sheetPath = path + ".sheet\(number).xml"
        unlink(sheetPath)
        let sink = try ByteSink(creating: sheetPath)
        sheet = sink
        sheetDeflater = Deflater(format: .raw, level: 1) { try sink.write(data: $0) }
        widths = columns.map { $0.title.count }
        widths[ExportColumn.dateTime.rawValue] = 16
        rowInSheet = 0
        var xml = ""
        for (index, line) in heading.lines.enumerated() {
            rowInSheet += 1
            xml += "<row r=\"\(rowInSheet)\"><c t=\"inlineStr\" s=\"\(index == 0 ? 3 : 0)\"><is><t xml:space=\"preserve\">\(XMLText.escape(line))</t></is></c></row>"
        }
        rowInSheet = Self.headerRow
        xml += "<row r=\"\(Self.headerRow)\">"
        for column in columns {
            xml += "<c t=\"inlineStr\" s=\"1\"><is><t>\(XMLText.escape(column.title))</t></is></c>"
        }
        xml += "</row>"
        try sheetDeflater!.write(xml)
    }

    private func finishSheet() throws {
        guard let sheet, let body = sheetDeflater else { return }
        try feed()
        try body.syncFlush()
        try sheet.finish()
        self.sheet = nil
        sheetDeflater = nil
        let number = sheetNames.count
        let lastRow = rowInSheet
        sheetLastRows.append(lastRow)
        let lastColumn = Self.columnLetter(columns.count)
        var prefix = """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
            xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">\
            <dimension ref="A1:\(lastColumn)\(lastRow)"/>\
            <sheetViews><sheetView workbookViewId="0"\(number == 1 ? " tabSelected=\"1\"" : "")>\
            <pane ySplit="\(Self.headerRow)" topLeftCell="A\(Self.headerRow + 1)" activePane="bottomLeft" state="frozen"/>\
            <selection pane="bottomLeft" activeCell="A\(Self.headerRow + 1)" sqref="A\(Self.headerRow + 1)"/>\
            </sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/><cols>
            """
        for (index, width) in widths.enumerated() {
            let fitted = min(max(width + 2, 6), 82)
            prefix += "<col min=\"\(index + 1)\" max=\"\(index + 1)\" width=\"\(fitted)\" customWidth=\"1\"/>"
        }
        prefix += "</cols><sheetData>"
        let suffix = "</sheetData><autoFilter ref=\"A\(Self.headerRow):\(lastColumn)\(lastRow)\"/></worksheet>"
        var opening: [UInt8] = []
        let head = Deflater(format: .raw, level: 1) { opening.append(contentsOf: $0) }
        try head.write(prefix)
        try head.syncFlush()
        var closing: [UInt8] = []
        let tail = Deflater(format: .raw, level: 1) { closing.append(contentsOf: $0) }
        try tail.write(suffix)
        try tail.finish()
        let crc = Deflater.crcCombine(Deflater.crcCombine(head.crc, body.crc, secondLength: body.inputCount),
                                      tail.crc, secondLength: tail.inputCount)
        try zip.add("xl/worksheets/sheet\(number).xml", ZipWriter.DeflatedEntry(
            pieces: [.bytes(opening), .file(sheetPath), .bytes(closing)], crc: crc,
            uncompressedSize: head.inputCount + body.inputCount + tail.inputCount,
            compressedSize: Int64(opening.count) + body.outputCount + Int64(closing.count)))
        unlink(sheetPath)
        sheetPath = ""
    }

    static func columnLetter(_ number: Int) -> String {
        var n = number, text = ""
        while n > 0 {
            let r = (n - 1) % 26
            text = String(UnicodeScalar(UInt8(65 + r))) + text
            n = (n - 1) / 26
        }
        return text
    }

    // MARK: Zip

    private func addPart(_ name: String, _ text: String) throws {
        try zip.add(name, bytes: Array(text.utf8))
    }

    // MARK: Parts

    private func sharedStringsXML() -> String {
        var xml = """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="\(sharedUses)" uniqueCount="\(sharedOrder.count)">
            """
        for text in sharedOrder { xml += "<si><t xml:space=\"preserve\">\(XMLText.escape(text))</t></si>" }
        return xml + "</sst>"
    }

    private func workbookXML() -> String {
        var xml = """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
            xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">\
            <bookViews><workbookView activeTab="0"/></bookViews><sheets>
            """
        for (index, name) in sheetNames.enumerated() {
            xml += "<sheet name=\"\(XMLText.escape(name))\" sheetId=\"\(index + 1)\" r:id=\"rId\(index + 1)\"/>"
        }
        xml += "</sheets><definedNames>"
        let lastColumn = Self.columnLetter(columns.count)
        for (index, name) in sheetNames.enumerated() {
            xml += "<definedName name=\"_xlnm._FilterDatabase\" localSheetId=\"\(index)\" hidden=\"1\">'\(XMLText.escape(name))'!$A$\(Self.headerRow):$\(lastColumn)$\(sheetLastRows[index])</definedName>"
        }
        return xml + "</definedNames></workbook>"
    }

    private func workbookRelsXML() -> String {
        var xml = """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
            """
        for index in sheetNames.indices {
            xml += "<Relationship Id=\"rId\(index + 1)\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet\(index + 1).xml\"/>"
        }
        let n = sheetNames.count
        xml += "<Relationship Id=\"rId\(n + 1)\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>"
        xml += "<Relationship Id=\"rId\(n + 2)\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings\" Target=\"sharedStrings.xml\"/>"
        return xml + "</Relationships>"
    }

    private func contentTypesXML() -> String {
        var xml = """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
            <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
            <Default Extension="xml" ContentType="application/xml"/>\
            <Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
            <Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>\
            <Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>\
            <Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>
            """
        for index in sheetNames.indices {
            xml += "<Override PartName=\"/xl/worksheets/sheet\(index + 1).xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
        }
        return xml + "</Types>"
    }

    private func coreXML() -> String {
        let stamp = ISO8601DateFormatter().string(from: heading.producedAt)
        return """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" \
            xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" \
            xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\
            <dc:title>\(XMLText.escape(heading.title))</dc:title>\
            <dc:description>\(XMLText.escape(heading.filterLine))</dc:description>\
            <dc:creator>\(XMLText.escape(heading.producedBy))</dc:creator>\
            <dcterms:created xsi:type="dcterms:W3CDTF">\(stamp)</dcterms:created>\
            </cp:coreProperties>
            """
    }

    static let rootRelsXML = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
        <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>\
        <Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>\
        </Relationships>
        """

    /// Cell styles: 0 plain, 1 bold header, 2 date-time, 3 title, 4–7 status tones
    /// (ok green, warning amber, error red bold, muted grey), as on screen.
    static let stylesXML = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
        <numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy hh:mm"/></numFmts>\
        <fonts count="7">\
        <font><sz val="11"/><name val="Calibri"/><family val="2"/></font>\
        <font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>\
        <font><b/><sz val="14"/><name val="Calibri"/><family val="2"/></font>\
        <font><sz val="11"/><color rgb="FF1E7B34"/><name val="Calibri"/><family val="2"/></font>\
        <font><sz val="11"/><color rgb="FFB26B00"/><name val="Calibri"/><family val="2"/></font>\
        <font><b/><sz val="11"/><color rgb="FFC00000"/><name val="Calibri"/><family val="2"/></font>\
        <font><sz val="11"/><color rgb="FF7F7F7F"/><name val="Calibri"/><family val="2"/></font>\
        </fonts>\
        <fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>\
        <borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
        <cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
        <cellXfs count="8">\
        <xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
        <xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>\
        <xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
        <xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/>\
        <xf numFmtId="0" fontId="3" fillId="0" borderId="0" xfId="0" applyFont="1"/>\
        <xf numFmtId="0" fontId="4" fillId="0" borderId="0" xfId="0" applyFont="1"/>\
        <xf numFmtId="0" fontId="5" fillId="0" borderId="0" xfId="0" applyFont="1"/>\
        <xf numFmtId="0" fontId="6" fillId="0" borderId="0" xfId="0" applyFont="1"/>\
        </cellXfs>\
        <cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>\
        </styleSheet>
        """
}
