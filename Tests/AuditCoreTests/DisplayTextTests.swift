import Foundation
import Testing
@testable import AuditCore

/// Text for the terminal: interpolated values are neutralised, the program's own words kept.
@Suite struct DisplayTextTests {
    static let hostile = "A\u{1B}[2J\u{1B}]52;c;eA==\u{07}\u{9B}31m\u{202E}RTL\u{2066}\u{061C}\u{2028}LS\u{2029}PS\u{7F}\u{0B}end"

    /// Whether a string holds anything a terminal would act on, newline aside.
    static func hasRawControl(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0 != "\n" && TerminalText.needsNeutralising($0) }
    }

    @Test func interpolatedValuesAreNeutralised() {
        let code: String? = "5.1.1" + Self.hostile
        let text: DisplayText = "Code  \(code ?? "")\nnext line \(42)"
        #expect(!Self.hasRawControl(text.string))
        #expect(text.string.hasPrefix("Code  5.1.1A␛[2J␛]52;c;eA==␇\u{FFFD}31m\u{FFFD}RTL"))
        #expect(text.string.components(separatedBy: "\n").count == 2, "the literal's line break stays; the value's U+2028 does not")
        #expect(text.string.hasSuffix("next line 42"))
    }

    @Test func multiLineValuesKeepTheirLineBreaksOnly() {
        let body = DisplayText(lines: "one\u{1B}[1m\r\ntwo\u{2028}three\u{85}")
        #expect(body.string == "one␛[1m\ntwo\nthree\u{FFFD}")
        let joined = [DisplayText("a\u{7}"), "b"].joined(separator: " · ")
        #expect(joined.string == "a␇ · b")
        #expect(("x" + DisplayText("\u{9B}")).string == "x\u{FFFD}")
    }

    @Test func lineAndParagraphSeparatorsAndArabicLetterMarkAreNeutralised() {
        #expect(TerminalText.singleLine("a\u{2028}b\u{2029}c") == "a b c")
        #expect(TerminalText.lines("a\u{2028}b").count == 2)
        #expect(TerminalText.singleLine("x\u{061C}y") == "x\u{FFFD}y")
        #expect(TerminalText.isClean("Zoë Łukasz 日本 👨‍👩‍👧"))
        #expect(!TerminalText.isClean("a\u{2029}"))
    }

    @Test func documentsKeepTheirLineEnds() {
        #expect(TerminalText.document("a,b\r\nc,d\r\n") == "a,b\r\nc,d\r\n")
        #expect(TerminalText.document("row\n") == "row\n")
        #expect(TerminalText.document("a\rb\tc\u{1B}[2J\u{9B}\u{202E}\u{2028}\n") == "a b c␛[2J\u{FFFD}\u{FFFD} \n")
        #expect(TerminalText.document(Self.hostile + "\r\n").hasSuffix("end\r\n"))
        #expect(!Self.hasRawControl(TerminalText.document(Self.hostile + "\r\n").replacingOccurrences(of: "\r\n", with: "\n")))
    }
}
