import Foundation
import PropertyBased
import Testing
@testable import AuditCore

/// The one JSON writer: what it writes parses back (with Foundation's decoder) to what was given,
/// and its terminal-safe form holds nothing a terminal would act on.
@Suite("JSON writer")
struct JSONWriterTests {
    /// Strings of any scalars, weighted towards the ones that need escaping.
    static func texts() -> Generator<String, some Sequence & SendableMetatype> {
        Gen.oneOf(
        Gen.unicodeScalar(in: "\u{0}"..."\u{A0}").map { Character($0) },
        Gen.unicodeScalar(in: "\u{2000}"..."\u{206F}").map { Character($0) },
            Gen.element(of: ["\u{FEFF}", "\u{061C}", "é", "😀", "\"", "\\", "/"].map(Character.init)).map { $0 ?? "x" },
        Gen.letterOrNumber
        ).string(of: 0...24)
    }

    /// What the writer wrote, read back by `JSONDecoder` (`JSONSerialization` drops a lone
    /// U+FEFF inside a string, so it cannot judge the minimal form).
    struct Document: Decodable {
        var text: String
        var n: Int
    }

    @Test func stringsRoundTripInBothForms() async {
        await propertyCheck(count: 500, input: Self.texts(), Gen.bool) { text, terminalSafe in
            var writer = JSONWriter(terminalSafe: terminalSafe)
            writer.beginObject()
            writer.key("text"); writer.writeString(text)
            writer.key("n"); writer.writeInt(text.count)
            writer.endObject()
            let document = try JSONDecoder().decode(Document.self, from: Data(writer.text.utf8))
            #expect(document.text == text, "\(writer.text)")
            #expect(document.n == text.count)
            if terminalSafe { #expect(TerminalText.isClean(writer.text), "\(writer.text)") }
        }
    }

    @Test func structureAndNumbers() {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("a"); writer.beginArray()
        writer.element(); writer.writeInt(1)
        writer.element(); writer.writeNumber(2.5)
        writer.element(); writer.writeDouble(.nan)
        writer.element(); writer.writeBool(true)
        writer.endArray()
        writer.key("t"); writer.writeTimestamp(1_741_947_302.417863)
        writer.endObject()
        #expect(writer.text == #"{"a":[1,2.5,null,true],"t":1741947302.417863}"#)
        writer.reset()
        writer.beginArray(); writer.endArray()
        #expect(writer.text == "[]")
    }
}
