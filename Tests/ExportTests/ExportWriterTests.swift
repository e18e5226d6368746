import AuditCore
import Foundation
import Testing
import ZIPFoundation
@testable import Export

/// The file writers behind `email-audit export` and the screen's `x` and `p`.
@Suite("Export files")
struct ExportWriterTests {
    static let london = TimeZone(identifier: "Europe/London")!
    /// 29/03/2026: the clocks go forward at 01:00 UTC.
    static let beforeChange = Date(timeIntervalSince1970: 1_774_744_200)  // 00:30 UTC = 00:30 GMT
    static let afterChange = Date(timeIntervalSince1970: 1_774_751_400)   // 02:30 UTC = 03:30 BST

    static func rows(_ count: Int) -> [ExportRow] {
        (0..<count).map { index in
            let names = ["Zoë Clarke", "Tomasz Wiśniewski", "=cmd|' /C calc'!A0", "Łukasz Nowak"]
            let status: EmailStatus = index % 3 == 0 ? .failed : .delivered
            let detail = status == .failed
                ? StatusDetail(status: .failed, reason: "bounce", code: 550, enhancedCode: "5.1.1", message: "5.1.1 User unknown")
                : nil
            return ExportRow(summary: EmailSummary(
                id: Int64(10_000 - index), createdAt: index == 0 ? afterChange : beforeChange.addingTimeInterval(-Double(index) * 60),
                to: "person\(index)@example.net", subject: index == 1 ? "+SUM(A1:A2)" : "Demand \(index) for Flat \(index)",
                raisedByName: names[index % names.count], status: status, activity: .serviceChargeDemand),
                statusDetail: detail,
                links: index == 0 ? ResendLinks(resentAs: [10_001]) : index == 4 ? ResendLinks(resendOf: 9_000, resentAs: [10_002, 10_003]) : ResendLinks())
        }
    }

    /// A source over fixed rows, paged as the store pages (strictly older than the cursor).
    static func source(_ rows: [ExportRow], pageSize: Int = 7) -> ExportRowSource {
        ExportRowSource(pageSize: pageSize, summaries: { cursor, limit in
            let after = rows.drop { row in cursor.map { row.summary.id >= $0.id } ?? false }
            return Array(after.prefix(limit)).map(\.summary)
        }, details: { ids in
            var found: [Int64: StatusDetail] = [:]
            for row in rows where ids.contains(row.summary.id) { found[row.summary.id] = row.statusDetail }
            return found
        }, links: { ids in
            var found: [Int64: ResendLinks] = [:]
            for row in rows where ids.contains(row.summary.id) && !row.links.isEmpty { found[row.summary.id] = row.links }
            return found
        })
    }

    static let heading = ExportHeading(accountName: "Harbour Lets", filterWords: "All emails · All dates",
                                       producedBy: "Jo Bloggs", producedAt: afterChange, timeZone: london)

    func folder() throws -> String {
        let path = NSTemporaryDirectory() + "export-tests-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    func export(_ format: ExportFormat, rows: [ExportRow], settings: ExportSettings = ExportSettings(),
                in folder: String, name: String? = nil) throws -> (String, SummaryExport.Outcome) {
        let path = folder + "/" + (name ?? "out.\(format.fileExtension)")
        let outcome = try SummaryExport.run(format: format, destination: ExportDestination(path: path, replaceExisting: false),
                                            heading: Self.heading, settings: settings, expectedRows: rows.count,
                                            source: Self.source(rows))
        return (path, outcome)
    }

    // MARK: Rows

    @Test func statusDetailIsCodeAndMessageWithoutRepeats() {
        let row = Self.rows(1)[0]
        #expect(row.statusDetailText == "550 5.1.1 User unknown")
        #expect(row.recommendedAction.hasPrefix("The mailbox does not exist"))
    }

    @Test func fastDateTextMatchesUKDateFormatAcrossClockChanges() {
        var clock = LocalClock(timeZone: Self.london)
        let format = UKDateFormat(timeZone: Self.london)
        // Every 7 minutes over both 2026 clock changes, and a spread of years.
        var dates: [Date] = []
        for start in [Self.beforeChange.addingTimeInterval(-86_400), Date(timeIntervalSince1970: 1_792_890_000)] {
            for step in 0..<600 { dates.append(start.addingTimeInterval(Double(step) * 420)) }
        }
        for year in stride(from: 0.0, to: 60, by: 1.3) { dates.append(Date(timeIntervalSince1970: year * 31_557_600)) }
        for date in dates { #expect(clock.dateTimeText(date) == format.dateTime(date)) }
    }

    @Test func excelSerialsAreLocalWallClockOnBothSidesOfTheChange() {
        var clock = LocalClock(timeZone: Self.london)
        // 29/03/2026 is serial 46110.
        #expect(abs(clock.excelSerial(Self.beforeChange) - (46_110 + 0.5 / 24)) < 1e-9)
        #expect(abs(clock.excelSerial(Self.afterChange) - (46_110 + 3.5 / 24)) < 1e-9)
    }

    // MARK: CSV

    @Test func csvHasBOMHeaderEveryRowAndNeutralisedFormulas() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let rows = Self.rows(20)
        let (path, outcome) = try export(.csv, rows: rows, in: dir)
        #expect(outcome.rows == 20)
        let bytes = try #require(FileManager.default.contents(atPath: path))
        #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF])
        let lines = String(decoding: bytes.dropFirst(3), as: UTF8.self).components(separatedBy: "\r\n")
        #expect(lines[0] == "Id,Date,To,Subject,Raised by,Status,Status detail,Activity,Recommended action,Resend link")
        // The resend links, both ways, in the last column (empty for an email without any).
        #expect(lines[1].hasSuffix(",Resent as #10001"))
        #expect(lines[5].hasSuffix(",\"Resend of #9000; Resent as #10002, #10003\""))
        #expect(lines[2].hasSuffix(","))
        #expect(lines.count == 22 && lines[21].isEmpty)
        #expect(lines[2].contains(",'+SUM(A1:A2),"))
        #expect(lines[3].contains(",'=cmd|' /C calc'!A0,"))
        #expect(lines[1].hasPrefix("10000,29/03/2026 03:30,person0@example.net,Demand 0 for Flat 0,Zoë Clarke,Failed,550 5.1.1 User unknown,"))
        var settings = ExportSettings()
        settings.csvByteOrderMark = false
        let (plain, _) = try export(.csv, rows: rows, settings: settings, in: dir, name: "plain.csv")
        #expect(FileManager.default.contents(atPath: plain)?.first == UInt8(ascii: "I"))
    }

    // MARK: Files

    @Test func anExistingFileIsNeverReplacedWithoutAsking() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/keep.csv"
        try Data("precious".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: ExportError.fileExists(path)) {
            _ = try ExportDestination(path: path, replaceExisting: false)
        }
        let replaced = try SummaryExport.run(format: .csv, destination: ExportDestination(path: path, replaceExisting: true),
                                             heading: Self.heading, source: Self.source(Self.rows(3)))
        #expect(replaced.rows == 3)
        #expect(try String(contentsOfFile: path, encoding: .utf8).contains("Zoë Clarke"))
    }

    @Test func cancellingLeavesNoFileAtAll() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for format in ExportFormat.allCases {
            #expect(throws: ExportError.cancelled) {
                _ = try SummaryExport.run(format: format, destination: ExportDestination(path: dir + "/x.\(format.fileExtension)", replaceExisting: false),
                                          heading: Self.heading, source: Self.source(Self.rows(30))) { written in written < 14 }
            }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
    }

    @Test func aMissingFolderIsRefusedBeforeAnythingIsRead() throws {
        #expect(throws: ExportError.self) {
            _ = try ExportDestination(path: "/nonexistent-folder-\(UUID().uuidString)/out.csv", replaceExisting: false)
        }
    }

    // MARK: XLSX

    func sheetXML(_ archive: Archive, _ name: String) throws -> String {
        let entry = try #require(archive[name])
        var data = Data()
        _ = try archive.extract(entry) { data.append($0) }
        return String(decoding: data, as: UTF8.self)
    }

    @Test func xlsxHasFrozenHeaderAutofilterDatesAndColouredStatuses() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (path, _) = try export(.xlsx, rows: Self.rows(12), in: dir)
        let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read, pathEncoding: nil)
        let sheet = try sheetXML(archive, "xl/worksheets/sheet1.xml")
        #expect(sheet.contains("<pane ySplit=\"5\" topLeftCell=\"A6\" activePane=\"bottomLeft\" state=\"frozen\"/>"))
        #expect(sheet.contains("<autoFilter ref=\"A5:J17\"/>"))
        let firstDate = try #require(sheet.components(separatedBy: "<c s=\"2\"><v>").dropFirst().first?.prefix { $0 != "<" })
        let serial = Double(String(firstDate)) ?? 0
        let expected: Double = 46_110 + 3.5 / 24
        #expect(abs(serial - expected) < 1e-9)
        #expect(sheet.contains("<c s=\"6\" t=\"s\">"))  // Failed in the error colour
        #expect(sheet.contains("<t xml:space=\"preserve\">Resent as #10001</t>") || sheet.contains(">Resent as #10001<"),
                "the resend link column")
        let shared = try sheetXML(archive, "xl/sharedStrings.xml")
        #expect(shared.contains("Zoë Clarke"))
        #expect(try sheetXML(archive, "xl/styles.xml").contains("formatCode=\"dd/mm/yyyy hh:mm\""))
    }

    @Test func xlsxContinuesOnFurtherSheetsPastTheRowLimit() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var settings = ExportSettings()
        settings.sheetRowLimit = 10  // 5 rows of heading and header, then 5 data rows per sheet
        let (path, _) = try export(.xlsx, rows: Self.rows(12), settings: settings, in: dir)
        let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read, pathEncoding: nil)
        let workbook = try sheetXML(archive, "xl/workbook.xml")
        #expect(workbook.contains("name=\"Emails\"") && workbook.contains("name=\"Emails 2\"") && workbook.contains("name=\"Emails 3\""))
        #expect(try sheetXML(archive, "xl/worksheets/sheet3.xml").contains("<autoFilter ref=\"A5:J7\"/>"))
    }

    // MARK: PDF

    @Test func pdfEmbedsASubsetFontAndRefusesTooManyRows() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (path, outcome) = try export(.pdf, rows: Self.rows(120), in: dir)
        let text = String(decoding: try #require(FileManager.default.contents(atPath: path)), as: UTF8.self)
        #expect(text.hasPrefix("%PDF-1.7"))
        if outcome.warning == nil {
            #expect(text.contains("/CIDFontType2") && text.contains("/ToUnicode") && text.contains("/FontFile2"))
        }
        var settings = ExportSettings()
        settings.pdfRowLimit = 50
        #expect(throws: ExportError.tooManyRowsForPDF(rows: 120, limit: 50)) {
            _ = try export(.pdf, rows: Self.rows(120), settings: settings, in: dir, name: "big.pdf")
        }
        #expect(!FileManager.default.fileExists(atPath: dir + "/big.pdf"))
        #expect(ExportError.tooManyRowsForPDF(rows: 120, limit: 50).description
            .hasPrefix("There are too many results for this search. Please refine your search criteria."))
    }

    @Test func pdfWithoutATrueTypeFontFallsBackToHelveticaWithAWarning() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var settings = ExportSettings()
        settings.pdfFontPath = ""
        let (path, outcome) = try export(.pdf, rows: Self.rows(5), settings: settings, in: dir)
        #expect(outcome.warning != nil)
        let text = String(decoding: try #require(FileManager.default.contents(atPath: path)), as: UTF8.self)
        #expect(text.contains("/BaseFont /Helvetica"))
    }

    @Test func trueTypeSubsetKeepsUsedGlyphsAndIsSmaller() throws {
        guard let path = FontLookup.trueTypePath(for: "DejaVu Sans") else {
            print("skipped: no TrueType font through fc-match")
            return
        }
        let font = try TrueTypeFont(path: path)
        let glyphs = Set("Zoë Wiśniewski …".unicodeScalars.map { font.glyph(for: $0) })
        #expect(!glyphs.contains(0))
        let subset = font.subset(keeping: glyphs)
        #expect(subset.count < font.data.count / 2)
        // The table directory: glyphs used keep their outlines, others are empty (long loca).
        var tables: [String: Int] = [:]
        for index in 0..<Int(TrueTypeFont.u16(subset, 4)) {
            let record = 12 + index * 16
            tables[String(decoding: subset[record..<(record + 4)], as: UTF8.self)] = Int(TrueTypeFont.u32(subset, record + 8))
        }
        let loca = try #require(tables["loca"])
        func length(_ glyph: UInt16) -> UInt32 {
            TrueTypeFont.u32(subset, loca + Int(glyph) * 4 + 4) - TrueTypeFont.u32(subset, loca + Int(glyph) * 4)
        }
        #expect(length(font.glyph(for: "Z")) > 0)
        #expect(length(font.glyph(for: "ś")) > 0)
        #expect(length(font.glyph(for: "Q")) == 0)
        #expect(tables["GSUB"] == nil && tables["cmap"] == nil)
    }
}

@Suite("Export text fast path")
struct ExportTextTests {
    @Test func fastPathAgreesWithTerminalText() {
        let samples = ["plain", "£748.66 for Flat 3", "Zoë Wiśniewski", "tab\there", "esc\u{1B}[2J", "c1\u{85}x",
                       "bidi\u{202E}x", "lrm\u{200E}", "iso\u{2066}x", "bom\u{FEFF}", "del\u{7F}", "emoji 😀 中文",
                       "\u{2028}line", "para\u{2029}", "alm\u{061C}x", "quote \" and , comma"]
        for text in samples {
            #expect(ExportText.singleLine(text) == TerminalText.singleLine(text), "\(text.debugDescription)")
        }
    }
}
