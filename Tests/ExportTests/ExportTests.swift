import AuditCore
import Foundation
import Testing
@testable import Export

@Suite("Summary exports")
struct ExportTests {
    let london = TimeZone(identifier: "Europe/London")!
    let row = EmailSummary(id: 42, createdAt: Date(timeIntervalSince1970: 1_784_112_600),  // 15/07/2026 11:50 BST
                           to: "zoe@example.net", subject: "=HYPERLINK(\"x\"), \"quoted\"\u{1B}[2J",
                           raisedByName: "Łukasz Nowak", status: .temporaryFailure, activity: .serviceChargeDemand)

    func render(_ format: SummaryFormat, _ rows: [EmailSummary]) -> String {
        var writer = format.makeWriter(timeZone: london, width: 100)
        var text = ""
        writer.begin(into: &text)
        for row in rows { writer.write(row, into: &text) }
        writer.end(into: &text)
        return text
    }

    @Test func csvQuotesAndDefusesFormulas() {
        let csv = render(.csv, [row])
        let lines = csv.components(separatedBy: "\r\n")
        #expect(lines[0] == "Id,Date,To,Subject,Raised by,Status,Activity")
        #expect(lines[1] == "42,15/07/2026 11:50,zoe@example.net,\"'=HYPERLINK(\"\"x\"\"), \"\"quoted\"\"␛[2J\",Łukasz Nowak,Temporary Failure,Demand")
    }

    @Test func jsonIsAValidArray() throws {
        let json = render(.json, [row, row])
        let parsed = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]]
        #expect(parsed?.count == 2)
        #expect(parsed?.first?["status"] as? String == "Temporary Failure")
        #expect(parsed?.first?["createdLocal"] as? String == "15/07/2026 11:50")
        let empty = try JSONSerialization.jsonObject(with: Data(render(.json, []).utf8)) as? [Any]
        #expect(empty?.isEmpty == true)
    }

    @Test func tableFitsTheWidthAndNeutralisesText() {
        let table = render(.table, [row])
        let lines = table.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[0].hasPrefix("      Id  Date"))
        #expect(lines[1].hasPrefix("      42  15/07/2026 11:50"))
        #expect(lines.allSatisfy { $0.count <= 100 })
        #expect(!table.contains("\u{1B}"))
        #expect(lines[1].contains("Temporary Failure"))
    }
}

/// The table for a terminal that can only show ASCII (CSV and JSON stay UTF-8).
@Suite("ASCII table")
struct ASCIITableTests {
    let london = TimeZone(identifier: "Europe/London")!

    func table(ascii: Bool, raisedBy: String, subject: String) -> [Substring] {
        let row = EmailSummary(id: 7, createdAt: Date(timeIntervalSince1970: 1_784_112_600), to: "zoe@example.net",
                               subject: subject, raisedByName: raisedBy, status: .failed, activity: .receiptRecorded)
        var writer = SummaryFormat.table.makeWriter(timeZone: london, width: 200, ascii: ascii)
        var text = ""
        writer.begin(into: &text)
        writer.write(row, into: &text)
        return text.split(separator: "\n")
    }

    @Test func namesAreTransliteratedBeforeTheyAreCutAndColumnsStay() {
        let lines = table(ascii: true, raisedBy: "Tomasz Wiśniewski", subject: "Straße café £12 年次報告書のお知らせ" + String(repeating: " and more words", count: 6))
        #expect(lines[1].contains("Tomasz Wisniewski"))
        #expect(lines[1].allSatisfy { $0.isASCII })
        #expect(lines[1].contains("Strasse cafe GBP12 ?????"))
        #expect(lines[1].contains("..."))
        // The Status column starts where its heading does.
        let header = lines[0], row = lines[1]
        let column = header.distance(from: header.startIndex, to: header.range(of: "Status")!.lowerBound)
        #expect(Array(row)[column...].starts(with: "Failed"))
        let unicode = table(ascii: false, raisedBy: "Tomasz Wiśniewski", subject: "Straße")
        #expect(unicode[1].contains("Tomasz Wiśniewski"))
    }

    @Test func csvAndJSONStayUTF8() {
        var csv = SummaryFormat.csv.makeWriter(timeZone: london, ascii: true)
        var text = ""
        csv.write(EmailSummary(id: 1, createdAt: Date(), to: "a@b.c", subject: "Zoë", raisedByName: "Łukasz",
                               status: .failed, activity: .receiptRecorded), into: &text)
        #expect(text.contains("Zoë") && text.contains("Łukasz"))
    }
}
