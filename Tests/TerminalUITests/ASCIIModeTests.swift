import AuditCore
import Foundation
import Testing
@testable import TerminalUI

/// The ASCII fallback for terminals whose locale is not UTF-8 (or `--ascii`): text is
/// transliterated before it is measured and cut, so every column stays where it is.
@Suite struct ASCIIModeTests {
    /// A session drawing in ASCII; `localeIsUTF8: false` is a `LANG=C` terminal, true is `--ascii`.
    static func session(width: Int = 80, height: Int = 24, filter: EmailFilter = EmailFilter(),
                        localeIsUTF8: Bool = false) -> HeadlessSession {
        var options = Fixture.options(filter: filter)
        options.charset = .ascii
        options.localeIsUTF8 = localeIsUTF8
        return HeadlessSession(reader: FakeAuditReader(), options: options, width: width, height: height,
                               now: { FakeAuditReader.now })
    }

    static let lineDrawing: Set<String> = ["─", "│", "┌", "┐", "└", "┘", "├", "┤", "┬", "┴", "┼"]

    /// Cells that are neither printable ASCII nor a line-drawing cell (painted from the
    /// terminal's alternate character set), with their positions.
    static func foreignCells(_ buffer: Buffer) -> [String] {
        var found: [String] = []
        for y in 0..<buffer.height {
            for x in 0..<buffer.width {
                let cell = buffer[x, y]
                let ascii = cell.grapheme.unicodeScalars.count == 1
                    && cell.grapheme.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F }
                if cell.width != 1 || !(ascii || lineDrawing.contains(cell.grapheme)) {
                    found.append("(\(x),\(y)) \(cell.grapheme.debugDescription) width \(cell.width)")
                }
            }
        }
        return found
    }

    @Test func widthsAndCutsAreThoseOfTheFallback() {
        ScreenCharset.$current.withValue(.ascii) {
            #expect(DisplayWidth.of("Straße") == 7)
            #expect(DisplayWidth.of("陈伟") == 2)
            #expect(DisplayWidth.of("Loading…") == 10)
            #expect(DisplayWidth.of("Ticket 🎉") == 8)
            #expect(DisplayWidth.of("│ ─") == 3)
            #expect(DisplayWidth.truncate("Tomasz Wiśniewski", to: 17) == "Tomasz Wisniewski")
            #expect(DisplayWidth.truncate("Tomasz Wiśniewski", to: 12) == "Tomasz Wi...")
            #expect(DisplayWidth.truncate("ßßß", to: 5) == "ss...")
            #expect(DisplayWidth.truncate("Wiśniewski", to: 4) == "W...")
            #expect(DisplayWidth.truncate("Wiśniewski", to: 2) == "..")
            #expect(DisplayWidth.fit("Zoë", to: 5) == "Zoe  ")
            // "Straße" fits 6 columns in Unicode, not as "Strasse": wrapping measures the fallback.
            let wrapped = TextWrap.wrap("Straße Łódź", width: 6)
            #expect(wrapped.allSatisfy { ASCIIFallback.text($0).count <= 6 }, "\(wrapped)")
            #expect(wrapped.joined(separator: " ").filter { $0 != " " } == "StraßeŁódź")
        }
        // Unbound, the text layer is Unicode as before.
        #expect(DisplayWidth.of("Straße") == 6)
        #expect(DisplayWidth.truncate("Tomasz Wiśniewski", to: 12) == "Tomasz Wiśn…")
    }

    @Test func bufferTransliteratesBeforeCutting() {
        var buffer = Buffer(width: 20, height: 2, charset: .ascii)
        #expect(buffer.put("Straße Łódź 東京", x: 0, y: 0, width: 12) == 12)
        #expect(buffer.lines[0] == "Strasse L...        ")
        #expect(buffer.put("60×15 Zoë", x: 2, y: 1) == 9)
        #expect(buffer.lines[1] == "  60x15 Zoe         ")
        #expect(Self.foreignCells(buffer).isEmpty)
        // A buffer made while ASCII is bound draws in ASCII.
        let bound = ScreenCharset.$current.withValue(.ascii) { Buffer(width: 1, height: 1) }
        #expect(bound.charset == .ascii)
        #expect(Buffer(width: 1, height: 1).charset == .unicode)
    }

    @Test(arguments: SnapshotTests.sizes)
    func everyScreenDrawsOnlyASCIIAndLineDrawing(width: Int, height: Int) {
        let failed = EmailFilter(statuses: [.failed], dateRange: .all)
        let screens: [(String, HeadlessSession)] = [
            ("main list", Self.session(width: width, height: height)),
            ("status picker", { let s = Self.session(width: width, height: height); s.send(.character("s")); return s }()),
            ("raised-by picker", { let s = Self.session(width: width, height: height); s.send(.character("r")); return s }()),
            ("view", { let s = Self.session(width: width, height: height, filter: failed); s.send(.enter); return s }()),
            ("unit search", { let s = Self.session(width: width, height: height, filter: failed); s.send([.enter, .character("u")]); return s }()),
            ("help", { let s = Self.session(width: width, height: height); s.send(.character("?")); return s }()),
            ("custom dates", { let s = Self.session(width: width, height: height)
                s.send([.character("d"), .end]); s.type("01/11/2026"); s.send(.enter); s.type("31/02"); return s }()),
            ("too small", Self.session(width: 59, height: height)),
        ]
        for (name, session) in screens {
            let buffer = session.render()
            #expect(buffer.charset == .ascii)
            let foreign = Self.foreignCells(buffer)
            #expect(foreign.isEmpty, "\(name) at \(width)×\(height): \(foreign.prefix(10).joined(separator: "; "))")
        }
    }

    /// The subjects hold CJK, emoji, "—" and "✅", the names "Zoë", "Łukasz", "Siobhán": in
    /// ASCII every row still has its cells exactly in the header's columns, which are the
    /// same columns as in Unicode.
    @Test(arguments: SnapshotTests.sizes)
    func columnsStayAlignedInTheFallback(width: Int, height: Int) {
        let ascii = Self.session(width: width, height: height).render()
        let unicode = Fixture.session(width: width, height: height).render()
        let header = ascii.lines[2]
        #expect(header == unicode.lines[2])
        let rows = ascii.lines.filter { $0.range(of: #"^ (\d\d/\d\d(/\d{4})? )?\d\d:\d\d "#, options: .regularExpression) != nil }
        #expect(rows.count >= 8)
        for title in ["To", "Subject", "Raised by", "Status"] {
            guard let range = header.range(of: " \(title) ") ?? header.range(of: " \(title)") else { continue }
            let column = header.distance(from: header.startIndex, to: range.lowerBound) + 1
            for row in rows {
                let characters = Array(row)
                #expect(characters.count == width)
                #expect(characters[column - 1] == " " && characters[column] != " ",
                        "\(title) (column \(column)) misaligned at \(width)×\(height): \(row)")
            }
        }
        let text = ascii.text
        #expect(!text.contains("…"))
        if width >= 80 {  // narrower, the Raised by column is dropped
            #expect(text.contains("Zoe Adams"))
            #expect(text.contains("Lukasz"))
        }
    }

    @Test func tooSmallMessageReadsInASCII() {
        let text = Self.session(width: 59, height: 15).render().text
        let words = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(words.contains("Terminal too small (need 60x15, have 59x15)"))
    }

    @Test func aNonUTF8LocaleIsNamedOnceWithTheWayToFullNames() {
        let locale = Self.session(width: 120, height: 40)
        #expect(locale.render().lines[0].contains("ASCII names: LANG=C.UTF-8 for full"))
        locale.send(.character("?"))
        let help = locale.render().text
        #expect(help.contains("Names in ASCII"))
        #expect(help.contains("Start email-audit with LANG=C.UTF-8"))
        // Asked for with --ascii on a UTF-8 terminal: ASCII, but nothing to explain.
        let forced = Self.session(width: 120, height: 40, localeIsUTF8: true)
        #expect(forced.state.charset == .ascii)
        #expect(!forced.render().lines[0].contains("ASCII names"))
        forced.send(.character("?"))
        #expect(!forced.render().text.contains("Names in ASCII"))
        #expect(!Fixture.session(width: 120, height: 40).render().lines[0].contains("ASCII names"))
    }

    /// Options on a non-UTF-8 locale mean ASCII whatever the requested charset.
    @Test func aNonUTF8LocaleAlwaysDrawsASCII() {
        var options = Fixture.options()
        options.localeIsUTF8 = false
        #expect(AppState(options: options, size: TerminalSize(width: 80, height: 24)).charset == .ascii)
        #expect(AppState(options: Fixture.options(), size: TerminalSize(width: 80, height: 24)).charset == .unicode)
    }

    /// The help's scroll limit is measured with the note, as it is drawn: End shows the last line.
    @Test func helpScrollsToItsLastLineWithTheNote() {
        let session = Self.session(width: 80, height: 24)
        session.send([.character("?"), .end])
        let lines = session.render().lines
        let last = HelpOverlay.lines(width: ScreenLayout(size: session.state.size).helpRect.width - 4, localeNote: true).last
        let lastText = ScreenCharset.$current.withValue(.ascii) {
            ScreenCharset.ascii.form(last?.spans.map(\.text).joined() ?? "")
        }
        #expect(lines.contains { $0.contains(lastText.trimmingCharacters(in: .whitespaces)) })
    }

    /// What the ASCII screen shows can be typed: "lukasz" finds Łukasz (no accent to ignore).
    @Test func raisedByFindsNamesByTheirASCIIForm() {
        let staff = FakeAuditReader.staffList
        #expect(FilterChoices.staff(staff, matching: "lukasz").map(\.name) == ["Łukasz Nowak"])
        #expect(FilterChoices.staff(staff, matching: "Zoe Adams").map(\.name) == ["Zoë Adams"])
        #expect(FilterChoices.staff(staff, matching: "siobhan o'b").map(\.name) == ["Siobhán O'Brien"])
        #expect(FilterChoices.staff(staff, matching: "Łuk").map(\.name) == ["Łukasz Nowak"])
        #expect(FilterChoices.staff(staff, matching: "nobody").isEmpty)
    }

    @Test func codesetsAndTheSwitch() {
        #expect(TerminalLocale.isUTF8(codeset: "UTF-8"))
        #expect(TerminalLocale.isUTF8(codeset: "utf8"))
        #expect(!TerminalLocale.isUTF8(codeset: "ANSI_X3.4-1968"))
        #expect(!TerminalLocale.isUTF8(codeset: "ISO-8859-1"))
        #expect(!TerminalLocale.isUTF8(codeset: "ISO-8859-15"))
        #expect(TerminalLocale.asciiRequested(environment: ["EMAIL_AUDIT_ASCII": "1"]))
        #expect(TerminalLocale.asciiRequested(environment: ["EMAIL_AUDIT_ASCII": "yes"]))
        #expect(!TerminalLocale.asciiRequested(environment: ["EMAIL_AUDIT_ASCII": "0"]))
        #expect(!TerminalLocale.asciiRequested(environment: [:]))
    }

    @Test func anUnusableTerminalGetsOneLineNamingWhatToSet() {
        #expect(CursesBackend.terminalProblem(0) == nil)
        for check: Int32 in 1...4 {
            let line = CursesBackend.terminalProblem(check) ?? ""
            #expect(line.contains("TERM") && !line.contains("\n"))
        }
        #expect(CursesBackend.terminalProblem(2)?.contains("(no terminfo entry); set TERM=xterm-256color") == true)
        #expect(CursesBackend.terminalProblem(4)?.contains("cannot move the cursor") == true)
    }

    @Test func mainListSnapshotInASCII() {
        assertSnapshot(Self.session(width: 80, height: 24).render(), named: "ascii-main-list-80x24")
    }

    @Test func viewPopupSnapshotInASCII() {
        let session = Self.session(width: 80, height: 24, filter: EmailFilter(statuses: [.failed], dateRange: .all))
        session.send(.enter)
        assertSnapshot(session.render(), named: "ascii-view-failed-80x24")
    }
}
