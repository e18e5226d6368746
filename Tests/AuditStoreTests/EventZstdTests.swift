import AuditCore
import Foundation
import GRDB
import PropertyBased
import Testing
@testable import AuditStore

/// Format 5: format 4's tokenised event JSON compressed with zstd against a trained dictionary.
@Suite("Compact raw events with zstd (format 5)")
struct EventZstdTests {
    static let tokens = EventJSONRowTokenTests.tokens

    /// The dictionary's typical events (format 1's, which format 5's dictionary was not built
    /// from) with this suite's event id, time, recipient and MX host in them.
    static let events: [String] = CompactTextDictionary.version1.split(separator: "\n").map {
        String($0).replacingOccurrences(of: "\"id\":\"[^\"]*\"", with: "\"id\":\"\(EventJSONRowTokenTests.eventID)\"", options: .regularExpression)
            .replacingOccurrences(of: "\"timestamp\":[0-9.]*", with: "\"timestamp\":1702119577.822387", options: .regularExpression)
            .replacingOccurrences(of: "wood.nicola@contoso-legal.co.uk", with: "zoë.clarke@example.net")
    }

    func pack(_ text: String, _ compressor: CompactText.Compressor, tokens: EventJSONTokens? = tokens) -> [UInt8]? {
        compressor.encode(text, tokens: tokens) { $0.map { Array($0) } }
    }

    @Test func theDictionaryIsTheFrozenOne() {
        // A changed dictionary makes every stored format-5 value unreadable: see EventZstdDictionary.
        let bytes = EventZstdDictionary.version1
        #expect(bytes.count == 65_536)
        #expect(Array(bytes.prefix(4)) == [0x37, 0xA4, 0x30, 0xEC], "zstd's dictionary magic number")
        #expect(bytes.reduce(into: UInt64(0)) { $0 = $0 &* 31 &+ UInt64($1) } == Self.dictionaryChecksum)
    }

    /// A polynomial checksum of ``EventZstdDictionary/version1`` as committed.
    static let dictionaryChecksum: UInt64 = 5050111238317477509

    /// (Format 4 is not compared here: these events are its own dictionary's. The sizes of both
    /// on the bench's events are in docs/benchmark.txt.)
    @Test func typicalEventsAreFormat5AndShrinkToAFifth() throws {
        let zstd = CompactText.Compressor()
        let decompressor = CompactText.Decompressor()
        var stored = 0
        var original = 0
        for event in Self.events {
            let packed = try #require(pack(event, zstd))
            #expect(packed[0] == 5)
            stored += packed.count
            original += event.utf8.count
            #expect(try packed.withUnsafeBytes { try decompressor.decode($0, tokens: Self.tokens) } == event)
        }
        #expect(stored * 5 < original, "\(stored) bytes stored for \(original)")
    }

    @Test func format5NeedsItsRowsValues() throws {
        // The complaint: its recipient is a token.
        let packed = try #require(pack(Self.events[0], CompactText.Compressor()))
        let decompressor = CompactText.Decompressor()
        #expect(throws: CompactText.DecodingError.self) { try packed.withUnsafeBytes { try decompressor.decode($0) } }
        let otherKey = EventJSONRowTokenTests.key.replacingOccurrences(of: "zoë", with: "zoe")
        let other = EventJSONTokens(providerEventID: EventJSONRowTokenTests.eventID, occurredAtMicroseconds: 1_702_119_577_822_387,
                                    eventKey: otherKey, mxHost: "mx1.example.net")
        #expect(throws: CompactText.DecodingError.self) { try packed.withUnsafeBytes { try decompressor.decode($0, tokens: other) } }
        #expect(throws: CompactText.DecodingError.self) {
            try packed.withUnsafeBytes { try decompressor.decode($0, tokens: Self.tokens.prefix(2)) }
        }
    }

    @Test func textHoldingNoValueIsFormat5TooAndShortTextStaysText() throws {
        let compressor = CompactText.Compressor()
        let none = EventJSONTokens(providerEventID: "nowhere-in-it", occurredAtMicroseconds: 5, eventKey: "k|delivered|no@where.example|1",
                                   mxHost: nil)
        let text = String(repeating: "{\"event\":\"delivered\",\"recipient\":\"a@b.c\"}", count: 3)
        let packed = try #require(pack(text, compressor, tokens: none))
        #expect(packed[0] == 5)
        #expect(try packed.withUnsafeBytes { try CompactText.Decompressor().decode($0, tokens: none) } == text)
        compressor.encode("{\"event\":\"opened\"}", tokens: Self.tokens) { #expect($0 == nil) }
        // A body compressor is not affected: format 2.
        #expect(CompactText.Compressor(format: .plainText).encode(text) { $0.map { Array($0) } }?[0] == 2)
    }

    /// Any damaged byte (format, length, CRC, frame), a truncated frame or trailing bytes give
    /// a DecodingError or (a flip zstd does not read) the same text: never other text, never a crash.
    @Test func damageIsAnError() throws {
        let text = Self.events[3]
        let packed = try #require(pack(text, CompactText.Compressor()))
        let decompressor = CompactText.Decompressor()
        func read(_ bytes: [UInt8]) throws -> String { try bytes.withUnsafeBytes { try decompressor.decode($0, tokens: Self.tokens) } }
        var errors = 0
        for position in 0..<packed.count {
            for flip: UInt8 in [0x01, 0x55, 0x80] {
                var damaged = packed
                damaged[position] ^= flip
                do {
                    #expect(try read(damaged) == text, "byte \(position) ^ \(flip)")
                } catch is CompactText.DecodingError {
                    errors += 1
                }
            }
        }
        #expect(errors >= 3 * (packed.count - 2))
        for cut in 1..<packed.count {
            #expect(throws: CompactText.DecodingError.self, "cut at \(cut)") { try read(Array(packed.prefix(cut))) }
        }
        #expect(throws: CompactText.DecodingError.self) { try read(packed + [0]) }
        #expect(throws: CompactText.DecodingError.self) { try read(packed + packed[7...]) }
        // The length says one byte more or less than the tokenised text has.
        let length = Int(packed[1]) | Int(packed[2] & 0x7F) << 7
        #expect(packed[1] & 0x80 != 0 && packed[2] & 0x80 == 0, "a two-byte length")
        for wrong in [length - 1, length + 1] {
            var damaged = packed
            damaged[1] = UInt8(wrong & 0x7F) | 0x80
            damaged[2] = UInt8(wrong >> 7)
            #expect(throws: CompactText.DecodingError.self) { try read(damaged) }
        }
        // The CRC of other text.
        var crc = packed
        crc[3] ^= 0xFF
        #expect(throws: CompactText.DecodingError.self) { try read(crc) }
        // Still reads after all that damage.
        #expect(try read(packed) == text)
    }

    /// One decompressor reads every format in any order: text, 1, 3, 4 and 5 mixed.
    @Test func everyFormatReadsThroughOneDecompressor() throws {
        let event = Self.events[2]
        let values: [([UInt8], UInt8)] = [
            (pack(event, CompactText.Compressor(), tokens: nil)!, 1),
            (pack(event, CompactText.Compressor(tokenisedFormat: .eventJSONRowTokens), tokens: Self.tokens.prefix(2))!, 3),
            (pack(event, CompactText.Compressor(tokenisedFormat: .eventJSONRowTokens))!, 4),
            (pack(event, CompactText.Compressor())!, 5),
        ]
        let decompressor = CompactText.Decompressor()
        for round in 0..<3 {
            for (value, format) in round == 1 ? values.reversed() : values {
                #expect(value[0] == format)
                #expect(try value.withUnsafeBytes { try decompressor.decode($0, tokens: Self.tokens) } == event)
            }
        }
    }

    /// Undoes migration "v12" on `db` (it changed nothing in the file; for the tests that rebuild older layouts).
    static func undoV12(_ db: Database) throws {
        try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v12'")
    }

    /// A version 12 store (migration "v11", before format 5) keeps its values as they are and reads them back;
    /// events ingested after the upgrade are format 5; both read back in one email.
    @Test func aVersion11StoreUpgradesAndWritesFormat5() throws {
        let folder = TempFolder()
        let (path, queue) = try folder.store(migratedUpTo: "v11")
        let recipient = "zoë.clarke@example.net"
        let at = utcDate(2026, 5, 1, 10)
        let old4 = CompactText.Compressor(tokenisedFormat: .eventJSONRowTokens)
        var raws: [String] = []
        var formats: [String] = []
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO accounts (id, name) VALUES (1, 'Harbour Lets');
                INSERT INTO staff (id, account_id, name, role) VALUES (1, 1, 'Zoë Clarke', 'staff');
                INSERT INTO emails (id, account_id, raised_by_id, activity, to_address, from_address, subject, body, created_at, status,
                                    provider_message_id, handed_over_at)
                    VALUES (10, 1, 1, 'receipt', ?, 'Harbour Lets <accounts@mg.harbourlets.co.uk>', 's', 'b',
                            1777626000000, \(EmailStatus.delivered.code), 'm@mg', 1777626000000);
                """, arguments: [recipient])
            for (index, event) in Self.events.prefix(4).enumerated() {
                let eventID = "old-event-\(index)"
                let occurred = at.addingTimeInterval(Double(index))
                let micros = StorageEncoding.microseconds(occurred)
                let raw = event.replacingOccurrences(of: EventJSONRowTokenTests.eventID, with: eventID)
                    .replacingOccurrences(of: "1702119577.822387", with: EventJSONTokens.timestampText(micros))
                let key = ProviderEvent.makeKey(providerEventID: eventID, kind: "delivered", recipient: recipient, occurredAt: occurred)
                let tokens = EventJSONTokens(providerEventID: eventID, occurredAtMicroseconds: micros, eventKey: key, mxHost: "mx1.example.net")
                // As an older release wrote them: format 4, format 1 and text.
                let stored: DatabaseValue = switch index {
                case 0, 1: Data(pack(raw, old4, tokens: tokens)!).databaseValue
                case 2: Data(pack(raw, old4, tokens: nil)!).databaseValue
                default: raw.databaseValue
                }
                formats.append(["4", "4", "1", "text"][index])
                try db.execute(sql: """
                    INSERT INTO events (email_id, event_key, key_hash, provider_event_id, kind, occurred_at, mx_host, raw_json)
                    VALUES (10, ?, ?, ?, 'delivered', ?, 'mx1.example.net', ?)
                    """, arguments: [StoredEventKey.stored(key, providerEventID: eventID, kind: "delivered"), EventKeyHash.of(key),
                                     eventID, micros, stored])
                raws.append(raw)
            }
        }
        let before = try queue.read { try Data.fetchAll($0, sql: "SELECT CAST(raw_json AS BLOB) FROM events ORDER BY id") }
        try queue.close()

        let store = try AuditDatabase(path: path, timeZone: london)
        #expect(try store.schemaVersion() == Schema.version)
        #expect(try store.rawEvents(emailID: 10) == raws)
        let event = Events.make(.opened, recipient: recipient, at: at.addingTimeInterval(3_600), id: "new-event")
        var incoming = Events.incoming(event, messageID: "m@mg", recipient: recipient, auditID: 10)
        incoming.rawJSON = Self.events[5].replacingOccurrences(of: EventJSONRowTokenTests.eventID, with: "new-event")
        _ = try store.apply([incoming], defaultAccountID: nil)
        raws.append(incoming.rawJSON)
        #expect(try store.rawEvents(emailID: 10) == raws)
        let after = try store.read { db in
            (try Data.fetchAll(db, sql: "SELECT CAST(raw_json AS BLOB) FROM events ORDER BY id"),
             try String.fetchAll(db, sql: """
                SELECT CASE typeof(raw_json) WHEN 'text' THEN 'text' ELSE unicode(substr(raw_json, 1, 1)) END FROM events ORDER BY id
                """))
        }
        #expect(Array(after.0.prefix(4)) == before, "the upgrade rewrites nothing")
        #expect(after.1 == formats + ["5"])
    }
}
