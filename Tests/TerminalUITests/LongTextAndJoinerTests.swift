import AuditCore
import Foundation
import Testing
@testable import TerminalUI

/// Huge fields and pastes cost time linear in what is shown; emoji ZWJ sequences take
/// the columns the terminal draws them in.
@Suite struct LongTextAndJoinerTests {
    static let megabyteWord = "Start" + String(repeating: "x", count: 1_000_000 - 5)

    @Test(.timeLimit(.minutes(1)))
    func wrappingAMegabyteWordIsLinear() {
        // All of a 200,000-character word: 2,500 lines of 80, nothing lost (quadratic wrapping
        // took about a second at 20,000 characters, so a hundred here).
        let word = String(Self.megabyteWord.prefix(200_000))
        let lines = TextWrap.wrap(word, width: 80)
        #expect(lines.count == 2_500)
        #expect(lines.allSatisfy { $0.count == 80 })
        #expect(lines.joined() == word)
        // A megabyte with a limit: only the lines asked for are read.
        let head = TextWrap.wrap(Self.megabyteWord, width: 80, limit: 4)
        #expect(head.count == 4)
        #expect(head[0].hasPrefix("Startxxx"))
        // Words and long words mixed, with a limit.
        let mixed = TextWrap.wrap("a bc " + Self.megabyteWord + " tail", width: 10, limit: 3)
        #expect(mixed == ["a bc", "Startxxxxx", "xxxxxxxxxx"])
    }

    @Test func wrapLimitKeepsTheSameLines() {
        let text = "The email account that you tried to reach does not exist. Please try 20250313153340.6d0f6e3dc937ece1@mg.harbourlets.co.uk again"
        for width in 1...40 {
            let all = TextWrap.wrap(text, width: width)
            for limit in 1...all.count + 1 {
                #expect(TextWrap.wrap(text, width: width, limit: limit) == Array(all.prefix(limit)))
            }
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func viewOfAMegabyteSubjectRendersItsStart() {
        let reader = FakeAuditReader()
        reader.add(id: 1_000, created: FakeAuditReader.now.addingTimeInterval(-30), status: .failed,
                   to: "long.subject@example.com", subject: Self.megabyteWord, person: FakeAuditReader.staffList[0])
        let session = Fixture.session(reader, width: 120, height: 40)
        let list = session.render().text
        #expect(list.contains("Startxxxx"))
        session.send(.enter)
        guard case .detail = session.state.topScreen else {
            Issue.record("the View pop-up did not open")
            return
        }
        var screen = session.render().text
        #expect(screen.contains("View email"))
        #expect(screen.contains("Startxxxxxxxx"))
        // Keys still act at once: scroll to the end, then close.
        session.send(.end)
        screen = session.render().text
        #expect(screen.contains("Body"))
        session.send(.escape)
        guard case .audit = session.state.topScreen else {
            Issue.record("Esc did not close the pop-up")
            return
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func aHugePasteIntoToIsCappedAndCheap() {
        let session = Fixture.session(width: 120, height: 40)
        session.send(.character("/"))
        session.type(String(repeating: "y", count: 10_000))
        #expect(session.state.draft.toText.count == AppState.maxTypedCharacters)
        let bar = session.render().lines[1]
        #expect(bar.contains("To: yyyy"))
        session.send(.escape)
        #expect(session.state.focus == .list)
    }

    @Test func aHugeBodyIsShownInPartWithANote() {
        let body = String(repeating: "Line of a very long body text.\n", count: 40_000)
        let email = Email(id: 7, accountID: 1, raisedByID: 1, raisedByName: "Zoë Adams", activity: .receiptRecorded,
                          to: "a@example.com", cc: [], from: "x@example.com", subject: "Big", textBody: body,
                          attachmentNames: [], createdAt: FakeAuditReader.now, providerMessageID: nil,
                          status: .pending, statusDetail: nil, lastEventAt: nil)
        let detail = EmailDetail(email: email, events: [], units: [])
        let lines = DetailPopup.contentLines(detail, width: 100, timeZone: FakeAuditReader.timeZone).map { $0.spans.map(\.text).joined() }
        #expect(lines.count < DetailPopup.maxBodyLines + 60)
        #expect(lines.last?.contains("email-audit show 7") == true)
    }

    @Test func zwjSequencesAreDrawnAsTheirParts() {
        #expect(DisplayWidth.drawnParts(of: "👨‍👩‍👧") == ["👨", "👩", "👧"])
        #expect(DisplayWidth.drawnParts(of: "👩🏽‍💻") == ["👩🏽", "💻"])
        #expect(DisplayWidth.drawnParts(of: "👍🏽") == ["👍🏽"])
        #expect(DisplayWidth.of("a👨‍👩‍👧b") == 8)
        var buffer = Buffer(width: 12, height: 1)
        let written = buffer.put("a👨‍👩‍👧b|", x: 0, y: 0)
        #expect(written == 9)
        #expect(buffer.cells.allSatisfy { !$0.grapheme.unicodeScalars.contains("\u{200D}") })
        #expect(buffer[1, 0].grapheme == "👨" && buffer[3, 0].grapheme == "👩" && buffer[5, 0].grapheme == "👧")
        #expect(buffer[7, 0].grapheme == "b" && buffer[8, 0].grapheme == "|")
        // Cut inside: never half a part, and the columns still add up.
        let cut = DisplayWidth.truncate("ab👨‍👩‍👧cd", to: 6)
        #expect(DisplayWidth.of(cut) <= 6)
    }

    @Test func listColumnsStayInLineWithZWJSubjects() {
        let reader = FakeAuditReader()
        reader.add(id: 1_001, created: FakeAuditReader.now.addingTimeInterval(-20), status: .delivered,
                   to: "zwj@example.com", subject: "Family 👨‍👩‍👧 and 👩🏽‍💻 at work, a subject long enough to be cut off",
                   person: FakeAuditReader.staffList[1])
        let session = Fixture.session(reader, width: 120, height: 40)
        let buffer = session.render()
        // Every row's Status column starts at the same cell as the heading's.
        let heading = (0..<buffer.height).first { y in buffer.lines[y].contains("Date/time") }!
        let statusColumn = (0..<buffer.width).first { x in
            (x..<x + 6).map { buffer[$0, heading].grapheme }.joined() == "Status"
        }!
        let rows = (heading + 1..<buffer.height).filter { buffer.lines[$0].contains("/11/2026") }
        #expect(rows.contains { buffer.lines[$0].contains("zwj@example.com") })
        for y in rows {
            #expect(buffer[statusColumn - 1, y].grapheme == " ")
            #expect(buffer[statusColumn, y].grapheme != " " && !buffer[statusColumn, y].isContinuation)
        }
    }
}
