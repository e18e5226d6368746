import CStoreZlib
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// The values an event's row already holds that its raw JSON repeats: the provider's event id
/// and the event's time as Mailgun writes it (`1712236769.669285`, from `occurred_at`). Compact
/// text format 3 (``CompactText``) replaces each occurrence of them in the JSON by a two-byte
/// token before deflate (about 30 of a typical event's 200 compressed bytes), and the reader,
/// which has the same row, puts them back.
///
/// Compact text format 4 (``CompactText``) adds two more values of the row: the recipient, as
/// the row's event key holds it (``recipient(ofKey:)``; about 10 bytes of a compressed event),
/// and the delivery's MX host (`mx_host`, about 2). Both are columns the row is written with and
/// never changed afterwards (events are only inserted; retention deletes them), so the text
/// the reader restores is the text that was written. The email row's message id is not used:
/// an event's email can change (a merged External row's events move to the hand-over email),
/// and the packed JSON is prepared before the event's email is known.
///
/// Tokenised text: every byte 0x01 of the original is written 0x01 0x01; `0x01 '0'+i` stands for
/// value `i`. Values of fewer than 4 bytes are not replaced (a token would not pay).
/// ``detokenise(_:)`` gives back exactly the original bytes whatever they hold.
struct EventJSONTokens: Equatable {
    /// The replaced values, in token order.
    let values: [[UInt8]]

    /// The escape byte.
    static let escape: UInt8 = 0x01
    /// The byte after the escape for value 0.
    static let firstToken = UInt8(ascii: "0")

    /// The tokens of an event row with `providerEventID` and `occurredAt` (microseconds).
    init(providerEventID: String, occurredAtMicroseconds: Int64) {
        self.init(values: [Array(providerEventID.utf8), Array(Self.timestampText(occurredAtMicroseconds).utf8)])
    }

    /// The tokens of an event row for format 4: its event id and time, the recipient in its full
    /// `eventKey` (``ProviderEvent/key``; ``StoredEventKey/key(stored:providerEventID:kind:)`` of
    /// the stored one) and its `mxHost` column.
    init(providerEventID: String, occurredAtMicroseconds: Int64, eventKey: String, mxHost: String?) {
        self.init(values: [Array(providerEventID.utf8), Array(Self.timestampText(occurredAtMicroseconds).utf8),
                           Self.plain(Self.recipient(ofKey: eventKey)), Self.plain(Array((mxHost ?? "").utf8))])
    }

    /// The tokens of a stored event row for format 4, from its columns as stored.
    init(providerEventID: String, kind: String, storedKey: String, occurredAtMicroseconds: Int64, mxHost: String?) {
        self.init(providerEventID: providerEventID, occurredAtMicroseconds: occurredAtMicroseconds,
                  eventKey: StoredEventKey.key(stored: storedKey, providerEventID: providerEventID, kind: kind),
                  mxHost: mxHost)
    }

    /// The recipient in an event key (`ID|KIND|recipient|day`): the bytes between its second
    /// and its last `|` (none when it has fewer than three). Any key gives some value, and the
    /// same one on write and read, so a key of another shape only makes the token useless.
    static func recipient(ofKey key: String) -> [UInt8] {
        let bytes = Array(key.utf8)
        let bars = bytes.indices.filter { bytes[$0] == UInt8(ascii: "|") }
        guard bars.count >= 3 else { return [] }
        return Array(bytes[(bars[1] + 1)..<bars[bars.count - 1]])
    }

    /// `value`, or nothing when it holds a control byte (a text column holding NUL might not
    /// read back byte for byte: such a value is simply not replaced).
    static func plain(_ value: [UInt8]) -> [UInt8] {
        value.contains(where: { $0 < 0x20 || $0 == 0x7F }) ? [] : value
    }

    /// The first `count` values only (format 3 was written with the event id and time alone).
    func prefix(_ count: Int) -> EventJSONTokens {
        EventJSONTokens(values: Array(values.prefix(count)))
    }

    init(values: [[UInt8]]) {
        self.values = values.map { $0.count >= 4 ? $0 : [] }
    }

    /// Mailgun's form of a time: seconds, a point and six digits of microseconds ("" before 1970).
    static func timestampText(_ microseconds: Int64) -> String {
        guard microseconds >= 0 else { return "" }
        let fraction = String(microseconds % 1_000_000)
        return "\(microseconds / 1_000_000)." + String(repeating: "0", count: 6 - fraction.count) + fraction
    }

    /// `text` with the values replaced, or nil when nothing was replaced and no byte escaped
    /// (then the text is stored as format 1). Left to right: at each place the escape byte
    /// first, then the values in order; the next place of each is found with `memchr`/`memmem`.
    func tokenise(_ text: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard let base = text.baseAddress, !text.isEmpty else { return nil }
        let count = text.count
        /// The next place at or after `from` where pattern `number` starts (-1: the escape
        /// byte), or `count` when there is none.
        func next(_ number: Int, from: Int) -> Int {
            guard from < count else { return count }
            if number < 0 {
                guard let found = memchr(base + from, Int32(Self.escape), count - from) else { return count }
                return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
            }
            let value = values[number]
            guard !value.isEmpty, value.count <= count - from else { return count }
            let found = value.withUnsafeBytes { ea_store_memmem(base + from, count - from, $0.baseAddress, value.count) }
            guard let found else { return count }
            return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
        }
        // The next place of the escape (index 0) and of each value (index 1...).
        var places = [next(-1, from: 0)] + values.indices.map { next($0, from: 0) }
        guard places.contains(where: { $0 < count }) else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(count)
        var index = 0
        while index < count {
            // Patterns whose next place the cursor has passed (overlapping a replaced value) are looked up again.
            for pattern in places.indices where places[pattern] < index { places[pattern] = next(pattern - 1, from: index) }
            var pattern = 0
            for candidate in places.indices.dropFirst() where places[candidate] < places[pattern] { pattern = candidate }
            let place = places[pattern]
            out.append(contentsOf: UnsafeBufferPointer(rebasing: text[index..<place]))
            guard place < count else { break }
            out.append(Self.escape)
            if pattern == 0 {
                out.append(Self.escape)
                index = place + 1
            } else {
                out.append(Self.firstToken + UInt8(pattern - 1))
                index = place + values[pattern - 1].count
            }
            places[pattern] = next(pattern - 1, from: index)
        }
        return out
    }

    /// The original bytes of tokenised `text`, or nil when it holds an escape not followed by
    /// 0x01 or a known token.
    func detokenise(_ text: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(text.count + 64)
        var index = 0
        while index < text.count {
            let byte = text[index]
            guard byte == Self.escape else {
                out.append(byte)
                index += 1
                continue
            }
            guard index + 1 < text.count else { return nil }
            let next = text[index + 1]
            if next == Self.escape {
                out.append(Self.escape)
            } else {
                let number = Int(next) - Int(Self.firstToken)
                guard number >= 0, number < values.count, !values[number].isEmpty else { return nil }
                out.append(contentsOf: values[number])
            }
            index += 2
        }
        return out
    }
}
