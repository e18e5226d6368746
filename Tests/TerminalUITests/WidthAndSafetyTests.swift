import AuditCore
import Testing
@testable import TerminalUI

/// Display width, truncation, and neutralisation of control characters.
@Suite struct WidthAndSafetyTests {
    @Test func widths() {
        #expect(DisplayWidth.of("abc") == 3)
        #expect(DisplayWidth.of("日本語") == 6)
        #expect(DisplayWidth.of("서울") == 4)
        #expect(DisplayWidth.of("🎉") == 2)
        #expect(DisplayWidth.of("👍🏽") == 2)
        #expect(DisplayWidth.of("❤️") == 2)
        #expect(DisplayWidth.of("👨‍👩‍👧") == 6)  // drawn as its three parts (see DisplayWidth.drawnParts)
        #expect(DisplayWidth.of("e\u{301}") == 1)
        #expect(DisplayWidth.of("\u{301}") == 0)
        #expect(DisplayWidth.of("Zoë Łukasz Siobhán") == 18)
        #expect(DisplayWidth.of("ＡＢ") == 4)
    }

    @Test func longWordsBreakAtPunctuation() {
        // A message id breaks before a dot, so ".co.uk" is not split as "co.u" / "k".
        #expect(TextWrap.wrap("20250313153340.6d0f6e3dc937ece1@mg.harbourlets.co.uk", width: 48)
            == ["20250313153340.6d0f6e3dc937ece1@mg.harbourlets", ".co.uk"])
        // The width already ends before a dot: break there.
        #expect(TextWrap.wrap("20250313153340.6d0f6e3dc937ece1@mg.harbourlets.co.uk", width: 49)
            == ["20250313153340.6d0f6e3dc937ece1@mg.harbourlets.co", ".uk"])
        #expect(TextWrap.wrap("outlook-com.olc.protection.outlook.com", width: 26)
            == ["outlook-com.olc.protection", ".outlook.com"])
        #expect(TextWrap.wrap("a.very-long-address@example.com", width: 24) == ["a.very-long-address@", "example.com"])
        // No punctuation in the latter half of the line: break where the width runs out.
        #expect(TextWrap.wrap("a.bcdefghijklmnop", width: 8) == ["a.bcdefg", "hijklmno", "p"])
        // Every piece fits, and nothing is lost.
        for width in 1...30 {
            let lines = TextWrap.wrap("x.y@mail-host.example.co.uk/path_to", width: width)
            #expect(lines.allSatisfy { DisplayWidth.of($0) <= width })
            #expect(lines.joined() == "x.y@mail-host.example.co.uk/path_to")
        }
    }

    @Test(arguments: ["日本語の件名テスト", "Ticket 🎉🎉 boiler", "Zoë Ødegård café", "e\u{301}e\u{301}e\u{301}e\u{301}", "a👨‍👩‍👧b日c"])
    func truncationNeverSplitsACharacter(text: String) {
        let characters = Array(text)
        for width in 0...DisplayWidth.of(text) + 1 {
            let cut = DisplayWidth.truncate(text, to: width)
            #expect(DisplayWidth.of(cut) <= width)
            if DisplayWidth.of(text) <= width {
                #expect(cut == text)
            } else if width > 0 {
                #expect(cut.last == "…")
                let kept = Array(cut.dropLast())
                #expect(Array(characters.prefix(kept.count)) == kept, "whole characters only")
            }
        }
        #expect(DisplayWidth.truncate("日本語", to: 4) == "日…")
        #expect(DisplayWidth.truncate("日本語", to: 5) == "日本…")
    }

    @Test func bufferHandlesWideGlyphsAtEdges() {
        var buffer = Buffer(width: 5, height: 2)
        let used = buffer.put("日本語", x: 0, y: 0)
        #expect(used <= 5)
        #expect(buffer.lines[0] == "日本…")
        #expect(buffer[1, 0].isContinuation)
        buffer.put("ab", x: 1, y: 0)  // overwrites the right half of 日
        #expect(buffer.lines[0] == " ab …", "both halves of a cut wide glyph are cleared")
        buffer.put("x🎉", x: 3, y: 1, width: 2)  // the emoji does not fit in one column
        #expect(DisplayWidth.of(buffer.lines[1]) == 5)
        var combining = Buffer(width: 4, height: 1)
        combining.put("e\u{301}x", x: 0, y: 0)
        #expect(combining.lines[0] == "e\u{301}x  ")
    }

    @Test func controlCharactersAreNeutralisedInTheBuffer() {
        var buffer = Buffer(width: 40, height: 1)
        buffer.put("a\u{1B}[2Jb\u{07}c\u{9B}d", x: 0, y: 0)
        #expect(!buffer.text.unicodeScalars.contains { $0.value < 0x20 || (0x7F..<0xA0).contains($0.value) })
        #expect(buffer.text.hasPrefix("a␛[2Jb␇c"))
    }

    @Test(arguments: [(80, 24), (120, 40), (60, 15)])
    func noEscapeOrBellReachesAnyScreen(width: Int, height: Int) {
        let session = Fixture.session(width: width, height: height, filter: EmailFilter(dateRange: .all))
        func check(_ what: String) {
            let text = session.render().text
            let bad = text.unicodeScalars.filter { ($0.value < 0x20 && $0 != "\n") || (0x7F..<0xA0).contains($0.value) }
            #expect(bad.isEmpty, "\(what): control characters \(bad.map { $0.value })")
        }
        check("list")
        #expect(session.render().text.contains("␛[2J␇"), "the evil subject shows neutralised")
        // Open the email with the evil subject (id 3, the third newest).
        session.send([.down, .down, .enter])
        check("pop-up")
        session.send(.end)  // the body, with its own escape sequence, is at the bottom
        check("pop-up bottom")
        #expect(session.render().text.contains("␛[31m"))
        session.send(.character("u"))
        check("unit search")
        session.send([.escape, .escape, .character("?")])
        check("help")
    }

    @Test func everyKeyOfTheTableIsInHelp() {
        let help = HelpOverlay.lines(width: 90).map { $0.spans.map(\.text).joined() }.joined(separator: "\n")
        for binding in KeyTable.bindings {
            #expect(help.contains(binding.keyLabel), "\(binding.keyLabel) missing from help")
        }
        for status in EmailStatus.allCases {
            #expect(help.contains(status.displayName))
        }
    }

    @Test func hintBarShrinksOnNarrowTerminalsButKeepsQuitAndHelp() {
        let wide = KeyHints.place(KeyTable.hints(in: .list), width: 120)
        let narrow = KeyHints.place(KeyTable.hints(in: .list), width: 60)
        #expect(narrow.count < wide.count)
        #expect(narrow.contains { $0.binding.command == .quit })
        #expect(narrow.contains { $0.binding.command == .help })
        #expect(narrow.last.map { $0.columns.upperBound <= 60 } == true)
    }

    @Test func columnsDropLowPriorityFirst() {
        let at60 = ColumnLayout.fit(SummaryList.columns, width: 59)
        let at80 = ColumnLayout.fit(SummaryList.columns, width: 79)
        let at120 = ColumnLayout.fit(SummaryList.columns, width: 119)
        #expect(at120.allSatisfy { $0 != nil })
        #expect(at80[5] == nil && at80[3] != nil, "Activity goes first")
        #expect(at60[5] == nil && at60[3] == nil, "then Raised by")
        #expect(at60[4] == 17, "the status word always fits")
        for widths in [at60, at80, at120] {
            let used = widths.compactMap { $0 }
            #expect(used.reduce(0, +) + used.count - 1 <= 119)
        }
    }
}
