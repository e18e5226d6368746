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
        #expect(lines[0] == "Id,Date,To,Subject,Raised by,Status,Activity,Status code,Status message,Recommended action,Resend link")
        #expect(lines[1].hasPrefix("42,15/07/2026 11:50,zoe@example.net,\"'=HYPERLINK(\"\"x\"\"), \"\"quoted\"\"␛[2J\",Łukasz Nowak,Temporary Failure,Demand,,,"))
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

    @Test func csvAndJSONCarryTheStatusDetailAndTheAdvice() throws {
        let failed = EmailSummary(id: 7, createdAt: Date(timeIntervalSince1970: 1_784_112_600), to: "x@example.net",
                                  subject: "Demand", raisedByName: "A", status: .failed, activity: .serviceChargeDemand)
        let detail = StatusDetail(status: .failed, severity: .permanent, reason: "bounce", code: 550, enhancedCode: "5.1.1",
                                  message: "User unknown\r\nin virtual mailbox table", description: nil, mxHost: nil,
                                  attemptNumber: 1, retrySeconds: nil, rejectReason: nil, occurredAt: nil)
        let extras = SummaryExtras(summary: failed, statusDetail: detail)
        #expect(extras.code == "550 5.1.1")
        #expect(extras.message == "User unknown in virtual mailbox table")
        #expect(extras.recommendedAction == RecommendedAction.advice(for: .failed, detail: detail))
        var csv = CSVSummaryWriter(timeZone: london), text = ""
        csv.write(failed, extras: extras, into: &text)
        #expect(text.hasSuffix(",550 5.1.1,User unknown in virtual mailbox table,\"" + extras.recommendedAction.replacingOccurrences(of: "\"", with: "\"\"") + "\",\r\n")
                || text.hasSuffix(",550 5.1.1,User unknown in virtual mailbox table," + extras.recommendedAction + ",\r\n"))
        var json = JSONSummaryWriter(timeZone: london), out = ""
        json.begin(into: &out)
        json.write(failed, extras: extras, into: &out)
        json.end(into: &out)
        let parsed = try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [[String: Any]]
        #expect(parsed?.first?["statusMessage"] as? String == "User unknown in virtual mailbox table")
        #expect(parsed?.first?["smtpCode"] as? Int == 550)
        #expect(parsed?.first?["recommendedAction"] as? String == extras.recommendedAction)
    }

    @Test func csvAndJSONCarryTheResendLinksBothWays() throws {
        let resend = EmailSummary(id: 40, createdAt: Date(timeIntervalSince1970: 1_784_112_600), to: "x@example.net",
                                  subject: "Demand", raisedByName: "A", status: .pending, activity: .serviceChargeDemand)
        let links = ResendLinks(resendOf: 12, resentAs: [41, 45])
        let extras = SummaryExtras(summary: resend, statusDetail: nil, links: links)
        var csv = CSVSummaryWriter(timeZone: london), text = ""
        csv.write(resend, extras: extras, into: &text)
        #expect(text.hasSuffix(",\"Resend of #12; Resent as #41, #45\"\r\n"))
        var json = JSONSummaryWriter(timeZone: london), out = ""
        json.begin(into: &out)
        json.write(resend, extras: extras, into: &out)
        json.write(resend, extras: SummaryExtras(summary: resend, statusDetail: nil), into: &out)
        json.end(into: &out)
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [[String: Any]])
        #expect(parsed[0]["resendOf"] as? Int == 12)
        #expect(parsed[0]["resentAs"] as? [Int] == [41, 45])
        #expect(parsed[1]["resendOf"] == nil && parsed[1]["resentAs"] == nil, "no link, no key")
    }

    @Test func tableWithoutAWidthCutsNothing() {
        var writer = TableSummaryWriter(timeZone: london, width: nil), text = ""
        let long = EmailSummary(id: 1, createdAt: Date(timeIntervalSince1970: 1_784_112_600),
                                to: String(repeating: "a", count: 90) + "@example.net", subject: String(repeating: "s", count: 150),
                                raisedByName: "A", status: .failed, activity: .receiptRecorded)
        writer.write(long, into: &text)
        #expect(text.contains(long.to) && text.contains(long.subject) && !text.contains("…"))
    }

    static let hostile = "A\u{1B}[2J\u{1B}]8;;http://x\u{1B}\\\u{9B}31m\u{85}\u{202E}RTL\u{2066}\u{2028}LS\u{2029}\u{7F}\u{1}\u{FEFF}end"

    /// The scalars of `text` a terminal would act on (newline and the CR of CR LF aside).
    static func rawControls(_ text: String) -> [UInt32] {
        let scalars = Array(text.unicodeScalars)
        return scalars.indices.compactMap { index in
            let scalar = scalars[index]
            if scalar == "\n" { return nil }
            if scalar == "\r", index + 1 < scalars.count, scalars[index + 1] == "\n" { return nil }
            return TerminalText.needsNeutralising(scalar) ? scalar.value : nil
        }
    }

    var hostileRow: EmailSummary {
        EmailSummary(id: 7, createdAt: row.createdAt, to: "h\u{2028}@example.net", subject: Self.hostile,
                     raisedByName: "Zoë\u{202E}", status: .failed, activity: .receiptRecorded)
    }

    @Test func jsonEscapesControlsAndKeepsTheText() throws {
        let json = render(.json, [hostileRow])
        #expect(Self.rawControls(json).isEmpty)
        for escape in ["\\u001b", "\\u009b", "\\u0085", "\\u202e", "\\u2066", "\\u2028", "\\u007f", "\\u0001", "\\ufeff"] {
            #expect(json.contains(escape), "\(escape) missing")
        }
        let parsed = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]]
        #expect(parsed?.first?["subject"] as? String == Self.hostile)
        #expect(parsed?.first?["to"] as? String == "h\u{2028}@example.net")
        #expect(parsed?.first?["raisedBy"] as? String == "Zoë\u{202E}")
        #expect(parsed?.first?["id"] as? Int == 7)
    }

    @Test func csvAndTableCarryNoRawControl() {
        let csv = render(.csv, [hostileRow])
        #expect(Self.rawControls(csv).isEmpty)
        #expect(csv.components(separatedBy: "\r\n").count == 3, "header, row, and the empty rest")
        let table = render(.table, [hostileRow])
        #expect(Self.rawControls(table).isEmpty)
        #expect(table.split(separator: "\n").count == 2)
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
