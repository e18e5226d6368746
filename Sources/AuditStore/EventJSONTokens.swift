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
