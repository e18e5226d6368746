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

/// Issue 9: the CSV formula guard looks at the first Unicode scalar, so a combining mark after
/// `=` (one character "=́" to Swift) cannot hide a formula.
@Suite("CSV formula guard")
struct CSVFormulaGuardTests {
    @Test(arguments: ["=\u{0301}HYPERLINK(\"x\")", "+\u{20DD}1", "-\u{0300}2+3", "@\u{0308}SUM(A1)", "\u{FF1D}1+1",
                      "\t=1+1", "  =1+1", "=1+1"])
    func aFormulaIsDefusedWhateverFollowsItsFirstSign(_ cell: String) {
        #expect(CSVSummaryWriter.quote(cell).hasPrefix("'") || CSVSummaryWriter.quote(cell).hasPrefix("\"'"))
    }

    @Test(arguments: ["Rent due", "é=1", "Invoice -5", ""])
    func plainTextIsLeftAlone(_ cell: String) {
        #expect(!CSVSummaryWriter.quote(cell).contains("'"))
    }
}
