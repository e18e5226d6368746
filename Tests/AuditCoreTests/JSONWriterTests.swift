import Foundation
import PropertyBased
import Testing
@testable import AuditCore

/// The one JSON writer: what it writes parses back (with Foundation's parser) to what was given,
/// and its terminal-safe form holds nothing a terminal would act on.
@Suite("JSON writer")
struct JSONWriterTests {
    /// Strings of any scalars, weighted towards the ones that need escaping.
    static let texts = Gen.oneOf(
        Gen.unicodeScalar(in: "\u{0}"..."\u{A0}").map { Character($0) },
        Gen.unicodeScalar(in: "\u{2000}"..."\u{206F}").map { Character($0) },
        Gen.element(of: ["\u{FEFF}", "\u{061C}", "é", "😀", "\"", "\\", "/"].map(Character.init)).map { $0 ?? "x" },
        Gen.letterOrNumber
    ).string(of: 0...24)

    static func parsed(_ json: String) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    }

    @Test func stringsRoundTripInBothForms() async {
        await propertyCheck(count: 500, input: Self.texts, Gen.bool) { text, terminalSafe in
            var writer = JSONWriter(terminalSafe: terminalSafe)
            writer.beginObject()
            writer.key("text"); writer.writeString(text)
            writer.key("n"); writer.writeInt(text.count)
            writer.endObject()
            let object = try Self.parsed(writer.text)
            #expect(object["text"] as? String == text, "\(writer.text)")
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
