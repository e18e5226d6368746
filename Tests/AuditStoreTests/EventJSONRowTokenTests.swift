import AuditCore
import Foundation
import GRDB
import PropertyBased
import Testing
@testable import AuditStore

/// Format 4: format 3 plus the recipient (from the row's event key) and the MX host as tokens.
@Suite("Compact raw events with the row's recipient and MX host")
struct EventJSONRowTokenTests {
    static let eventID = "aV3-KPDFMdjIXKbhmvFocT"
    static let key = ProviderEvent.makeKey(providerEventID: eventID, kind: "delivered", recipient: "Zoë.Clarke@Example.net",
                                           occurredAt: Date(timeIntervalSince1970: 1_702_119_577.822387))
    static let tokens = EventJSONTokens(providerEventID: eventID, occurredAtMicroseconds: 1_702_119_577_822_387,
                                        eventKey: key, mxHost: "mx1.example.net")
    /// Text rich in the escape byte, every token's digit, the values, values overlapping each
    /// other ("zoë.clarke@example.net" ends in "example.net"), and the recipient's other case.
    static let pieces: [String] = ["\u{01}", "\u{01}0", "\u{01}1", "\u{01}2", "\u{01}3", "\u{01}4", "\u{01}\u{01}", "2", "3",
                                   eventID, "1702119577.822387", "zoë.clarke@example.net", "Zoë.Clarke@Example.net", "mx1.example.net",
                                   "mx1.", "example.net", "zoë.clarke@", "{\"recipient\":\"", "\",\"mx-host\":", "é", "👩‍👩‍👧", "x", " "]
    static let texts = Gen.element(of: pieces).array(of: 0...60).map { $0.compactMap { $0 }.joined() }

    @Test func theRecipientIsTheKeysThirdPart() {
        #expect(Self.tokens.values[2] == Array("zoë.clarke@example.net".utf8))
        #expect(Self.tokens.values[3] == Array("mx1.example.net".utf8))
        #expect(EventJSONTokens.recipient(ofKey: "id|kind|a|b@c.d|19700") == Array("a|b@c.d".utf8))
        #expect(EventJSONTokens.recipient(ofKey: "id|kind|19700").isEmpty)
        #expect(EventJSONTokens.recipient(ofKey: "").isEmpty)
        // A value with a control byte is not replaced: it might not read back byte for byte.
        let control = EventJSONTokens(providerEventID: Self.eventID, occurredAtMicroseconds: 1, eventKey: "i|k|a\u{0}bcdef|1",
                                      mxHost: "mx\u{7F}.example.net")
        #expect(control.values[2].isEmpty && control.values[3].isEmpty)
    }

    @Test func everyTextRoundTripsByteForByte() async throws {
        await Self.tokens.expectRoundTrips(Self.texts)
    }

    /// A format-3 value (written with the id and time alone) reads back the same with a
    /// reader's four values, and format 3 never restores a token of the two new ones.
    @Test func format3ValuesStillReadBack() async throws {
        let compressor = CompactText.Compressor(tokenisedFormat: .eventJSONRowTokens)
        let decompressor = CompactText.Decompressor()
        let old = Self.tokens.prefix(2)
        await propertyCheck(count: 300, input: Self.texts) { (text: String) throws in
            let padded = text + String(repeating: "{\"event\":\"delivered\"}", count: 4)
            let packed = compressor.encode(padded, tokens: old) { $0.map { Array($0) } }
            guard let packed else { return }
            #expect(packed[0] == 1 || packed[0] == 3)
            #expect(try packed.withUnsafeBytes { try decompressor.decode($0, tokens: Self.tokens) } == padded)
        }
        // A format-3 value holding token 2 is damage, whatever the reader's row holds.
        var forged = compressor.encode("zoë.clarke@example.net" + String(repeating: "{\"event\":\"delivered\"}", count: 4),
                                       tokens: Self.tokens) { $0.map { Array($0) } }!
        #expect(forged[0] == 4)
        forged[0] = 3
        #expect(throws: CompactText.DecodingError.self) { try forged.withUnsafeBytes { try decompressor.decode($0, tokens: Self.tokens) } }
    }

    @Test func aTypicalEventShrinksAndNeedsItsRecipient() throws {
        let event = "{\"delivery-status\":{\"code\":250,\"message\":\"OK\",\"mx-host\":\"mx1.example.net\"},\"event\":\"delivered\","
            + "\"id\":\"\(Self.eventID)\",\"message\":{\"headers\":{\"to\":\"zoë.clarke@example.net\"}},"
            + "\"recipient\":\"zoë.clarke@example.net\",\"timestamp\":1702119577.822387}"
        let compressor = CompactText.Compressor(tokenisedFormat: .eventJSONRowTokens)
        let format3 = compressor.encode(event, tokens: Self.tokens.prefix(2)) { $0.map { Array($0) } }!
        let format4 = compressor.encode(event, tokens: Self.tokens) { $0.map { Array($0) } }!
        #expect(format3[0] == 3 && format4[0] == 4)
        #expect(format4.count < format3.count)
        let decompressor = CompactText.Decompressor()
        #expect(try format4.withUnsafeBytes { try decompressor.decode($0, tokens: Self.tokens) } == event)
        let otherKey = Self.key.replacingOccurrences(of: "zoë", with: "zoe")
        let other = EventJSONTokens(providerEventID: Self.eventID, occurredAtMicroseconds: 1_702_119_577_822_387,
                                    eventKey: otherKey, mxHost: "mx1.example.net")
        #expect(throws: CompactText.DecodingError.self) { try format4.withUnsafeBytes { try decompressor.decode($0, tokens: other) } }
    }

    /// Through the ingest, prepared ahead (``RawJSONCompactor``) or not: stored as format 5 (format 4's tokens, zstd)
    /// and read back whole (the retention archive: RetentionTests, whose raw JSON holds both).
    @Test func ingestedEventsReadBackWhole() async throws {
        let f = try Fixture()
        let recipient = "row.tokens@example.net"
        let id = try f.store.record([f.newEmail(by: f.alice, to: recipient, at: utcDate(2026, 5, 1, 9))])[0]
        let messageID = try f.handOver(id, at: utcDate(2026, 5, 1, 9))
        var expected: [String] = []
        var minute = 0
        let compactor = RawJSONCompactor()
        await propertyCheck(count: 30, input: CompactTextTests.texts) { text in
            minute += 1
            // Event ids with "|" and "\" exercise the stored key's other forms.
            let eventID = ["plain-\(minute)", "a|b-\(minute)", "\\c-\(minute)"][minute % 3]
            let raw = "{\"delivery-status\":{\"mx-host\":\"mx.example.net\"},\"id\":\"\(eventID)\",\"message\":\"\(text)\","
                + "\"recipient\":\"\(recipient)\",\"to\":\"\(recipient)\"}"
            let event = Events.make(.delivered, recipient: recipient, at: utcDate(2026, 5, 1, 10, minute), id: eventID,
                                    code: 250, message: "OK")
            var incoming = [Events.incoming(event, messageID: messageID, recipient: recipient, auditID: id)]
            incoming[0].rawJSON = raw
            if minute % 2 == 0 { compactor.prepare(&incoming) }
            _ = try f.store.apply(incoming, defaultAccountID: nil)
            expected.append(raw)
            #expect(try f.store.rawEvents(emailID: id).map { Array($0.utf8) } == expected.map { Array($0.utf8) })
        }
        let formats = try await f.store.pool.read {
            try Int.fetchAll($0, sql: "SELECT DISTINCT unicode(substr(CAST(raw_json AS BLOB), 1, 1)) FROM events")
        }
        #expect(formats == [5])
    }
}
