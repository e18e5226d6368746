import AuditCore
import Foundation
import GRDB
import PropertyBased
import Testing
@testable import AuditStore

/// Compact raw events: what is read back is byte for byte what was stored, through the codec,
/// through the ingest and through the v8 upgrade of an older store.
@Suite("Compact raw events")
struct CompactTextTests {
    /// Pieces of provider JSON and awkward text: keys and values the dictionary knows, unicode
    /// (accents, combining marks, emoji with joiners, right-to-left, CJK), escapes and odd
    /// whitespace (tabs, CR LF, no-break and line-separator spaces, runs of spaces).
    static let pieces = [
        "{\"event\":\"delivered\",", "\"recipient\":\"", "zoë.clarke@example.net", "\"},", "\"timestamp\":1701745178.303881,",
        "\"delivery-status\":{\"code\":250,\"message\":\"OK\"}", "\"user-variables\":{\"audit-id\":\"1\"}", "Payment received: £3142.54",
        "e\u{301}", "👩‍👩‍👧", "שלום", "中文", "\\u00e9", "\\\"", "\\\\", "\t", "\r\n", "\n", "\u{00A0}", "\u{2028}", "     ", " ",
        "\u{FEFF}", "a", "0", "}", "]", "[", ",", ":",
    ]

    static let texts = zip(Gen.element(of: pieces).array(of: 0...400), Gen.unicodeScalar(in: " "..."\u{2FFF}").array(of: 0...40))
        .map { pieces, scalars in pieces.compactMap { $0 }.joined() + String(String.UnicodeScalarView(scalars)) }

    @Test func generatedTextRoundTripsByteForByte() async {
        let compressor = CompactText.Compressor()
        let decompressor = CompactText.Decompressor()
        await propertyCheck(count: 500, input: Self.texts) { text in
            let back = try compressor.encode(text) { packed in try packed.map { try decompressor.decode($0) } ?? text }
            #expect(Array(back.utf8) == Array(text.utf8))
        }
    }

    @Test func typicalEventsShrinkToAQuarterAndRoundTrip() throws {
        let compressor = CompactText.Compressor()
        let decompressor = CompactText.Decompressor()
        // Real-looking events unlike the dictionary's own: other names, ids, times and an odd layout.
        let events = CompactTextDictionary.version1.split(separator: "\n").map {
            String($0).replacingOccurrences(of: "harbourlets", with: "northgate-estates")
                .replacingOccurrences(of: "1702", with: "1899").replacingOccurrences(of: "\":", with: "\" :\t")
        }
        var stored = 0
        var original = 0
        for event in events {
            original += event.utf8.count
            stored += try compressor.encode(event) { packed in
                let bytes = try #require(packed, "a typical event shrinks")
                #expect(try decompressor.decode(bytes) == event)
                return bytes.count
            }
        }
        #expect(stored * 4 < original, "\(stored) bytes stored for \(original)")
    }

    @Test func shortTextStaysTextAndDamageIsAnError() throws {
        let compressor = CompactText.Compressor()
        compressor.encode("{\"event\":\"opened\"}") { #expect($0 == nil) }
        let text = String(repeating: "{\"event\":\"delivered\",\"recipient\":\"a@b.c\"}", count: 5)
        let packed = compressor.encode(text) { Array($0!) }
        let decompressor = CompactText.Decompressor()
        // Any damaged byte is an error, or (a flip in the final byte's unused bits) the same text: never other text.
        var errors = 0
        for position in 0..<packed.count {
            var damaged = packed
            damaged[position] ^= 0x55
            do {
                #expect(try damaged.withUnsafeBytes { try decompressor.decode($0) } == text, "byte \(position)")
            } catch is CompactText.DecodingError {
                errors += 1
            }
        }
        #expect(errors >= packed.count - 1)
        #expect(throws: CompactText.DecodingError.self) { try [UInt8]([2, 1, 0]).withUnsafeBytes { try decompressor.decode($0) } }
    }

    /// Through the one ingest path: each event's raw JSON is stored as a BLOB and read back whole.
    @Test func ingestedRawEventsReadBackWhole() async throws {
        let f = try Fixture()
        let id = try f.store.record([f.newEmail(by: f.alice, to: "raw@example.net", at: utcDate(2026, 5, 1, 9))])[0]
        let messageID = try f.handOver(id, at: utcDate(2026, 5, 1, 9))
        var expected: [String] = []
        var minute = 0
        await propertyCheck(count: 40, input: Self.texts) { text in
            minute += 1
            let raw = "{\"event\":\"delivered\",\"message\":\"\(text)\",\"padding\":\"\(String(repeating: "delivery-status ", count: 8))\"}"
            let event = Events.make(.delivered, recipient: "raw@example.net", at: utcDate(2026, 5, 1, 10, minute), code: 250, message: "OK")
            var incoming = Events.incoming(event, messageID: messageID, recipient: "raw@example.net", auditID: id)
            incoming.rawJSON = raw
            _ = try f.store.apply([incoming], defaultAccountID: nil)
            expected.append(raw)
            #expect(try f.store.rawEvents(emailID: id).map { Array($0.utf8) } == expected.map { Array($0.utf8) })
        }
        let types = try await f.store.pool.read { try String.fetchAll($0, sql: "SELECT DISTINCT typeof(raw_json) FROM events") }
        #expect(types == ["blob"])
    }

    /// A version 7 store's raw events become compact on opening, read back the same, and the
    /// emails' queries answer as before.
    @Test func aVersion7StoreIsConvertedByV8() throws {
        let folder = TempFolder()
        let (path, queue) = try folder.store(migratedUpTo: "v7")
        let long = CompactTextDictionary.version1.split(separator: "\n").map(String.init)
        let raws = long + ["{\"event\":\"opened\"}", "", "Zoë \u{2028} 👩‍👩‍👧\t\r\n"]
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO accounts (id, name) VALUES (1, 'Harbour Lets');
                INSERT INTO staff (id, account_id, name, role) VALUES (1, 1, 'Zoë Clarke', 'staff');
                INSERT INTO emails (id, account_id, raised_by_id, activity, to_address, from_address, subject, body, created_at, status,
                                    provider_message_id, handed_over_at)
                    VALUES (10, 1, 1, 'receipt', 'to@example.net', 'Harbour Lets <accounts@mg.harbourlets.co.uk>', 's', 'b',
                            1790000000000, \(EmailStatus.delivered.code), 'm@mg', 1790000000000);
                """)
            for (index, raw) in raws.enumerated() {
                try db.execute(sql: """
                    INSERT INTO events (email_id, event_key, provider_event_id, kind, occurred_at, raw_json)
                    VALUES (10, ?, ?, 'delivered', ?, ?)
                    """, arguments: ["k\(index)", "p\(index)", 1_790_000_000_000_000 + Int64(index), raw])
            }
        }
        try queue.close()

        let store = try AuditDatabase(path: path, timeZone: london)
        #expect(try store.schemaVersion() == Schema.version)
        #expect(try store.rawEvents(emailID: 10) == raws)
        let types = try store.pool.read { try String.fetchAll($0, sql: "SELECT typeof(raw_json) FROM events ORDER BY id") }
        #expect(types == Array(repeating: "blob", count: long.count) + ["text", "text", "text"], "long events compact, short ones stay text")
        #expect(try store.detail(emailID: 10, accountID: 1)?.email.status == .delivered)
    }
}

/// Format 3: the event's own id and time replaced by tokens before deflate.
@Suite("Compact raw events with tokens")
struct EventJSONTokenTests {
    /// Text rich in the escape byte, the token digits and the values themselves.
    static let pieces: [String] = ["\u{01}", "\u{01}0", "\u{01}1", "\u{01}\u{01}", "0", "1", "aV3-KPDFMdjIXKbhmvFocT", "1702119577.822387",
                                   "{\"id\":\"", "\",\"timestamp\":", "é", "👩‍👩‍👧", "x", " "]
    static let texts = Gen.element(of: pieces).array(of: 0...60).map { $0.compactMap { $0 }.joined() }
    static let tokens = EventJSONTokens(providerEventID: "aV3-KPDFMdjIXKbhmvFocT", occurredAtMicroseconds: 1_702_119_577_822_387)

    @Test func everyTextRoundTripsByteForByte() async throws {
        await Self.tokens.expectRoundTrips(Self.texts)
    }

    @Test func aTypicalEventShrinksAndNeedsItsRow() throws {
        // A dictionary event with an id and time the dictionary does not hold.
        let event = CompactTextDictionary.version1.split(separator: "\n").map(String.init)[1]
            .replacingOccurrences(of: "aV3-KPDFMdjIXKbhmvFocT", with: "Zq9-TTRSxxkL0pA2mWnB4e")
            .replacingOccurrences(of: "1702119577.822387", with: "1733004417.590861")
        let tokens = EventJSONTokens(providerEventID: "Zq9-TTRSxxkL0pA2mWnB4e", occurredAtMicroseconds: 1_733_004_417_590_861)
        let compressor = CompactText.Compressor(tokenisedFormat: .eventJSONRowTokens)
        let plain = compressor.encode(event) { $0.map { Array($0) } }!
        let packed = compressor.encode(event, tokens: tokens) { $0.map { Array($0) } }!
        #expect(packed[0] == 3 && plain[0] == 1)
        #expect(packed.count < plain.count)
        let decompressor = CompactText.Decompressor()
        #expect(try packed.withUnsafeBytes { try decompressor.decode($0, tokens: tokens) } == event)
        #expect(throws: CompactText.DecodingError.self) { try packed.withUnsafeBytes { try decompressor.decode($0) } }
        // Another row's values do not give the text back.
        let other = EventJSONTokens(providerEventID: "Zq9-TTRSxxkL0pA2mWnB4f", occurredAtMicroseconds: 1_733_004_417_590_861)
        #expect(throws: CompactText.DecodingError.self) { try packed.withUnsafeBytes { try decompressor.decode($0, tokens: other) } }
        // Text holding none of the values stays format 1.
        let none = EventJSONTokens(providerEventID: "nowhere-in-it", occurredAtMicroseconds: 5)
        #expect(compressor.encode(event, tokens: none) { $0.map { Array($0) } } == plain)
    }

    @Test func timesAreWrittenAsMailgunDoes() {
        #expect(EventJSONTokens.timestampText(1_702_119_577_822_387) == "1702119577.822387")
        #expect(EventJSONTokens.timestampText(1_702_119_577_000_007) == "1702119577.000007")
        #expect(EventJSONTokens.timestampText(-1) == "")
    }
}
