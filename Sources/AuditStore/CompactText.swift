import CStoreZlib
import Foundation

/// Text stored compactly: the raw provider JSON of every event (`events.raw_json`, format 5;
/// 1, 3 and 4 in older rows) and email bodies (`emails.body`, format 2).
///
/// A stored value is either TEXT, the text itself (stores before schema v8, bodies recorded
/// before format 2, and text that compression would not shrink), or a BLOB:
///
///     byte 0      the format: 1, 2, 3, 4 or 5
///     bytes 1...  the text's UTF-8 length as an unsigned LEB128 varint (formats 3, 4 and 5: the tokenised text's)
///     then        4 bytes: the CRC-32 of the UTF-8, little-endian
///     then        a raw deflate stream (RFC 1951) of the UTF-8 (formats 3 and 4: of the tokenised text),
///                 or (format 5) a zstd frame (RFC 8878) of the tokenised text without its magic number
///
/// Format 3 (schema v11) is format 1 of the event's JSON with its event id and time replaced by
/// tokens (``EventJSONTokens``), which the reader restores from the same row; format 4 also
/// replaces the recipient (from the row's event key) and the MX host. Format 5 (schema v12) is
/// format 4's tokenised text compressed with zstd against a dictionary trained on tokenised
/// Mailgun events (``EventZstd``, ``EventZstdDictionary``): several times faster to write than
/// format 4's deflate and about 36% smaller (docs/performance.md). The ingest writes format 5.
///
/// Format 1 compresses against the preset dictionary ``CompactTextDictionary/version1`` (built
/// from Mailgun events) with an 8 KiB window; format 2 has no dictionary and a 32 KiB window,
/// for free text such as bodies. A format's dictionary never changes: a new dictionary would be
/// a new format byte, so every value ever written stays readable.
///
/// Decoding gives back exactly the bytes that were encoded (the length and CRC are checked:
/// a raw deflate stream has no check of its own), so the
/// raw JSON read back is byte for byte what the provider sent.
enum CompactText {
    /// How a value is compressed; the raw value is the stored first byte.
    enum Format: UInt8 {
        /// Against ``CompactTextDictionary/version1``: provider events.
        case eventJSON = 1
        /// No dictionary: email bodies.
        case plainText = 2
        /// As format 1, of the text with the values its event row holds replaced by tokens
        /// (``EventJSONTokens``; schema v11): the length is the tokenised text's, the CRC the
        /// original's. Reading it needs the row's event id and time.
        case eventJSONTokens = 3
        /// As format 3, with two more values of the row as tokens: the recipient (from the
        /// event key) and the MX host (``EventJSONTokens/init(providerEventID:occurredAtMicroseconds:eventKey:mxHost:)``).
        /// Reading it needs those columns too.
        case eventJSONRowTokens = 4
        /// Format 4's tokenised text (all four values), compressed with zstd against
        /// ``EventZstdDictionary`` (``EventZstd``; schema v12). Written for every event, whatever
        /// its text holds; reading it needs the row's four values.
        case eventJSONZstd = 5

        /// deflate's window: 2^13 bytes is enough for the dictionary plus a typical event;
        /// bodies get zlib's largest.
        var windowBits: Int32 {
            switch self {
            case .eventJSON, .eventJSONTokens, .eventJSONRowTokens: 13
            case .plainText: 15
            case .eventJSONZstd: 0
            }
        }

        /// zlib's compression level: 3 is within 10% of 6's size at about half its time (events,
        /// millions of them); a body is written once, so it gets zlib's default.
        var level: Int32 {
            switch self {
            case .eventJSON, .eventJSONTokens, .eventJSONRowTokens: 3
            case .plainText: 6
            case .eventJSONZstd: EventZstd.level
            }
        }

        /// deflate's preset dictionary, if the format has one (format 5's is zstd's own, ``EventZstd``).
        var dictionary: [UInt8]? {
            switch self {
            case .eventJSON, .eventJSONTokens, .eventJSONRowTokens: CompactTextDictionary.version1Bytes
            case .plainText, .eventJSONZstd: nil
            }
        }
    }

    /// The first byte of a format-1 value.
    static let format1: UInt8 = Format.eventJSON.rawValue
    /// The largest window of any format: a decompressor with it inflates every format.
    static let largestWindowBits: Int32 = 15
    /// zlib's memory level for the compressor (a smaller hash table to clear per value).
    static let memoryLevel: Int32 = 6

    /// Why a stored value could not be decoded.
    struct DecodingError: Error, CustomStringConvertible {
        let description: String
    }

    /// A reusable compressor for one format (one per batch or thread). Given an event row's
    /// tokens, a `.eventJSON` compressor writes `tokenisedFormat`: format 5 (zstd), or, for
    /// the tests of older stores, format 4 (3 with only the id and time, 1 when no value is
    /// found). With a deflate dictionary
    /// it loads the dictionary once into a primed stream and copies that stream for each value
    /// (`deflateCopy`: memory copies), where `deflateSetDictionary` per value would hash the
    /// whole 7.6 KB dictionary again for every event; without one it resets the stream.
    final class Compressor {
        private var primed = z_stream()
        private var output: [UInt8] = []
        private let format: Format
        private let tokenisedFormat: Format
        /// Made at the first format-5 value (a body compressor never needs one).
        private lazy var zstd = EventZstd.Compressor()

        /// A compressor writing `format`, and `tokenisedFormat` (`.eventJSONZstd` or
        /// `.eventJSONRowTokens`) for an event given with its row's tokens.
        init(format: Format = .eventJSON, tokenisedFormat: Format = .eventJSONZstd) {
            precondition(format != .eventJSONZstd && [.eventJSONZstd, .eventJSONRowTokens].contains(tokenisedFormat),
                         "a compressor writes format 1 or 2, and tokenised events as format 4 or 5")
            self.format = format
            self.tokenisedFormat = tokenisedFormat
            let status = ea_store_deflate_init(&primed, format.level, -format.windowBits, CompactText.memoryLevel)
            // Only bad parameters or no memory fail here; both are programming or fatal errors.
            precondition(status == Z_OK, "deflateInit2 failed: \(status)")
            if let dictionary = format.dictionary {
                let dictionaryStatus = dictionary.withUnsafeBufferPointer { dictionary in
                    deflateSetDictionary(&primed, dictionary.baseAddress, uInt(dictionary.count))
                }
                precondition(dictionaryStatus == Z_OK, "deflateSetDictionary failed: \(dictionaryStatus)")
            }
        }

        deinit { deflateEnd(&primed) }

        /// The compressed bytes of `text`, handed to `body` (valid only inside it), or nil when
        /// they would not be shorter than the text itself (store the text).
        ///
        /// With `tokens` (events only), the values the event's row holds are replaced first:
        /// format 5 (or 4 or 3, see ``init(format:tokenisedFormat:)``).
        func encode<Result>(_ text: String, tokens: EventJSONTokens? = nil,
                            _ body: (UnsafeRawBufferPointer?) throws -> Result) rethrows -> Result {
            var text = text
            let packed: Int? = text.withUTF8 { utf8 in
                if format == .eventJSON, let tokens, utf8.count >= 64, tokenisedFormat == .eventJSONZstd {
                    let crc = UInt32(crc32(0, utf8.baseAddress, uInt(utf8.count)))
                    // Text holding no value and no escape byte is its own tokenised text.
                    guard let tokenised = tokens.tokenise(utf8) else { return compressZstd(utf8, crc: crc, originalCount: utf8.count) }
                    return tokenised.withUnsafeBufferPointer { compressZstd($0, crc: crc, originalCount: utf8.count) }
                }
                if format == .eventJSON, let tokens, utf8.count >= 64, let tokenised = tokens.tokenise(utf8) {
                    let crc = UInt32(crc32(0, utf8.baseAddress, uInt(utf8.count)))
                    return tokenised.withUnsafeBufferPointer { input in
                        compress(input, formatByte: tokens.values.count > 2 ? Format.eventJSONRowTokens.rawValue
                                                                             : Format.eventJSONTokens.rawValue,
                                 crc: crc, originalCount: utf8.count)
                    }
                }
                return compress(utf8)
            }
            guard let packed else { return try body(nil) }
            return try output.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[0..<packed])) }
        }

        /// Writes the format-5 value of the tokenised text `input` into `output`: its used length,
        /// or nil when not shorter than the text (`originalCount` bytes with `crc`).
        private func compressZstd(_ input: UnsafeBufferPointer<UInt8>, crc: UInt32, originalCount: Int) -> Int? {
            let bound = EventZstd.Compressor.bound(input.count) + 15
            if output.count < bound { output = [UInt8](repeating: 0, count: max(bound, 4096)) }
            return output.withUnsafeMutableBufferPointer { out -> Int? in
                let header = Self.writeHeader(into: out, formatByte: Format.eventJSONZstd.rawValue, count: input.count, crc: crc)
                let used = header + zstd.compress(input, into: UnsafeMutableBufferPointer(rebasing: out[header...]))
                return used < originalCount ? used : nil
            }
        }

        /// Writes a value's header (format byte, LEB128 `count`, CRC-32) at the start of `out`: its length.
        private static func writeHeader(into out: UnsafeMutableBufferPointer<UInt8>, formatByte: UInt8, count: Int, crc: UInt32) -> Int {
            var header = 0
            out[header] = formatByte
            header += 1
            var length = UInt64(count)
            repeat {
                out[header] = UInt8(length & 0x7F) | (length >= 0x80 ? 0x80 : 0)
                length >>= 7
                header += 1
            } while length > 0
            for shift in stride(from: 0, to: 32, by: 8) {
                out[header] = UInt8(truncatingIfNeeded: crc >> UInt32(shift))
                header += 1
            }
            return header
        }

        /// Compresses `utf8` into `output`; its used length, or nil when not shorter.
        private func compress(_ utf8: UnsafeBufferPointer<UInt8>) -> Int? {
            // Values this short never shrink: keep them as text.
            guard utf8.count >= 64 else { return nil }
            return compress(utf8, formatByte: format.rawValue, crc: UInt32(crc32(0, utf8.baseAddress, uInt(utf8.count))),
                            originalCount: utf8.count)
        }

        /// Compresses `input` as a value of `formatByte` whose text has `crc` and `originalCount`
        /// bytes; its used length, or nil when not shorter than the text.
        private func compress(_ input: UnsafeBufferPointer<UInt8>, formatByte: UInt8, crc: UInt32, originalCount: Int) -> Int? {
            guard format.dictionary != nil else {
                let resetStatus = deflateReset(&primed)
                precondition(resetStatus == Z_OK, "deflateReset failed: \(resetStatus)")
                return compress(input, formatByte: formatByte, crc: crc, originalCount: originalCount, with: &primed)
            }
            var stream = z_stream()
            let copyStatus = deflateCopy(&stream, &primed)
            precondition(copyStatus == Z_OK, "deflateCopy failed: \(copyStatus)")
            defer { deflateEnd(&stream) }
            return compress(input, formatByte: formatByte, crc: crc, originalCount: originalCount, with: &stream)
        }

        /// Writes the header and the deflate stream of `utf8` through `stream` into `output`.
        private func compress(_ utf8: UnsafeBufferPointer<UInt8>, formatByte: UInt8, crc: UInt32, originalCount: Int,
                              with stream: inout z_stream) -> Int? {
            let count = utf8.count
            let bound = Int(deflateBound(&stream, uLong(count))) + 15
            if output.count < bound { output = [UInt8](repeating: 0, count: max(bound, 4096)) }
            return output.withUnsafeMutableBufferPointer { out -> Int? in
                let header = Self.writeHeader(into: out, formatByte: formatByte, count: count, crc: crc)
                stream.next_in = UnsafeMutablePointer(mutating: utf8.baseAddress)
                stream.avail_in = uInt(count)
                stream.next_out = out.baseAddress! + header
                stream.avail_out = uInt(out.count - header)
                let status = deflate(&stream, Z_FINISH)
                precondition(status == Z_STREAM_END, "deflate did not finish within deflateBound: \(status)")
                let used = header + Int(stream.total_out)
                return used < originalCount ? used : nil
            }
        }
    }

    /// A reusable decompressor for every format.
    final class Decompressor {
        private var stream = z_stream()
        /// Made at the first format-5 value.
        private lazy var zstd = EventZstd.Decompressor()

        init() {
            let status = ea_store_inflate_init(&stream, -CompactText.largestWindowBits)
            precondition(status == Z_OK, "inflateInit2 failed: \(status)")
        }

        deinit { inflateEnd(&stream) }

        /// The text of the compact value `bytes`; a value of format 3, 4 or 5 needs the `tokens`
        /// of its event row.
        func decode(_ bytes: UnsafeRawBufferPointer, tokens: EventJSONTokens? = nil) throws -> String {
            guard bytes.count >= 2, let format = Format(rawValue: bytes[0]) else {
                throw DecodingError(description: "a compact text value of unknown format \(bytes.first.map(String.init) ?? "(empty)")")
            }
            var offset = 1
            var length: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard offset < bytes.count, shift < 63 else { throw DecodingError(description: "a compact text value with a bad length") }
                let byte = bytes[offset]
                offset += 1
                length |= UInt64(byte & 0x7F) << shift
                shift += 7
                if byte & 0x80 == 0 { break }
            }
            guard length <= 1 << 31, offset + 4 <= bytes.count else {
                throw DecodingError(description: "a compact text value of \(length) bytes")
            }
            var crc: UInt32 = 0
            for shift in stride(from: 0, to: 32, by: 8) {
                crc |= UInt32(bytes[offset]) << UInt32(shift)
                offset += 1
            }
            let expected = Int(length)
            if format == .eventJSONZstd {
                guard let tokens else { throw DecodingError(description: "a compact event value read without its row's values") }
                let frame = UnsafeRawBufferPointer(rebasing: bytes[offset...])
                return try detokenise(expected: expected, crc: crc, tokens: tokens) { out in
                    switch zstd.decompress(frame, into: out) {
                    case .success(let produced): return produced
                    case .failure(let error): throw error
                    }
                }
            }
            inflateReset(&stream)
            if let dictionary = format.dictionary {
                let dictionaryStatus = dictionary.withUnsafeBufferPointer { dictionary in
                    inflateSetDictionary(&stream, dictionary.baseAddress, uInt(dictionary.count))
                }
                guard dictionaryStatus == Z_OK else { throw DecodingError(description: "inflateSetDictionary failed: \(dictionaryStatus)") }
            }
            if format == .eventJSONTokens || format == .eventJSONRowTokens {
                guard let tokens else { throw DecodingError(description: "a compact event value read without its row's event id and time") }
                // Format 3 knows the event id and time only: a token of another value in it is damage.
                return try decodeTokenised(bytes, from: offset, expected: expected, crc: crc,
                                           tokens: format == .eventJSONTokens ? tokens.prefix(2) : tokens)
            }
            var failure: String?
            // One spare byte: a stream longer than its recorded length is caught, not truncated.
            let text = String(unsafeUninitializedCapacity: expected + 1) { out -> Int in
                stream.next_in = UnsafeMutablePointer(mutating: bytes.baseAddress!.assumingMemoryBound(to: UInt8.self) + offset)
                stream.avail_in = uInt(bytes.count - offset)
                stream.next_out = out.baseAddress
                stream.avail_out = uInt(expected + 1)
                let status = inflate(&stream, Z_FINISH)
                let produced = expected + 1 - Int(stream.avail_out)
                if status != Z_STREAM_END || produced != expected || stream.avail_in != 0 {
                    failure = "a compact text value that does not inflate to its \(expected) bytes (zlib status \(status), \(produced) bytes)"
                    return 0
                }
                if UInt32(crc32(0, out.baseAddress, uInt(produced))) != crc {
                    failure = "a compact text value whose CRC-32 does not match"
                    return 0
                }
                return produced
            }
            if let failure { throw DecodingError(description: failure) }
            return text
        }

        /// Inflates a format-3 or -4 value's tokenised text of `expected` bytes and puts the tokens back.
        private func decodeTokenised(_ bytes: UnsafeRawBufferPointer, from offset: Int, expected: Int, crc: UInt32,
                                     tokens: EventJSONTokens) throws -> String {
            try detokenise(expected: expected, crc: crc, tokens: tokens) { out in
                stream.next_in = UnsafeMutablePointer(mutating: bytes.baseAddress!.assumingMemoryBound(to: UInt8.self) + offset)
                stream.avail_in = uInt(bytes.count - offset)
                stream.next_out = out.baseAddress
                stream.avail_out = uInt(out.count)
                let status = inflate(&stream, Z_FINISH)
                let produced = out.count - Int(stream.avail_out)
                guard status == Z_STREAM_END, stream.avail_in == 0 else {
                    throw DecodingError(description: "a compact text value that does not inflate to its \(expected) bytes (zlib status \(status), \(produced) bytes)")
                }
                return produced
            }
        }

        /// The text of a tokenised value: `decompress` writes the tokenised text into a buffer of
        /// `expected` + 1 bytes (one spare: a longer one is caught, not truncated) and returns
        /// the bytes written; they must be `expected`, and the text restored from them must
        /// have `crc`.
        private func detokenise(expected: Int, crc: UInt32, tokens: EventJSONTokens,
                                _ decompress: (UnsafeMutableBufferPointer<UInt8>) throws -> Int) throws -> String {
            var tokenised = [UInt8](repeating: 0, count: expected + 1)
            let produced = try tokenised.withUnsafeMutableBufferPointer { try decompress($0) }
            guard produced == expected else {
                throw DecodingError(description: "a compact text value that does not decompress to its \(expected) bytes (\(produced) bytes)")
            }
            guard let text = tokenised.withUnsafeBufferPointer({ tokens.detokenise(UnsafeBufferPointer(rebasing: $0[0..<expected])) }) else {
                throw DecodingError(description: "a compact event value with an unknown token")
            }
            guard UInt32(text.withUnsafeBufferPointer { crc32(0, $0.baseAddress, uInt($0.count)) }) == crc else {
                throw DecodingError(description: "a compact text value whose CRC-32 does not match")
            }
            return String(decoding: text, as: UTF8.self)
        }
    }
}
